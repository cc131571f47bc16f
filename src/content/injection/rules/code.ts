/**
 * Code payloads that do harm when an agent runs them: sending data off the machine, reading secrets
 * or system inventory, destroying files, or downloading and executing programs. Alone each is common in
 * honest code answers, so weights are low; together, or with a request to put the code into "your
 * solution" (`output.code_insertion`), they cross the threshold.
 *
 * @example
 * CODE_RULES.map((r) => r.id); // ['code.network_send', 'code.sensitive_source', 'code.destructive_exec']
 */
import type { SignalRule } from '../types.js';
import { defineRule } from './phrase.js';

const networkSend = defineRule({
  id: 'code.network_send',
  weight: 0.4,
  anchors: [
    'requests.',
    'httpx.',
    'urlopen',
    'urlretrieve',
    'http.client',
    'httpsconnection',
    'httpconnection',
    'smtplib',
    'yagmail',
    'ftplib',
    'ftp(',
    'storbinary',
    'paramiko',
    'scpclient',
    'publish.',
    'sendall',
    '.send(',
    'sendto',
    'sendmail',
    'curl',
    'wget',
    'sendbeacon',
    'xmlhttprequest',
    'fetch(',
    'socket.',
    'aiohttp',
    'netcat',
    'nc -',
    'invoke-webrequest',
    'bluetooth',
  ],
  source:
    '(?:requests|httpx)\\.(?:post|put|patch)\\s*\\(|(?:requests|httpx)\\.get\\s*\\([^)\\n]{0,200}(?:cookies|data|params|json)\\s*=|urlopen\\s*\\(|urlretrieve\\s*\\(|http\\.client|https?connection\\s*\\(|smtplib|yagmail|ftplib|ftp\\s*\\(|storbinary|paramiko|scpclient|publish\\.(?:single|multiple)|\\.sendall\\s*\\(|\\.send\\s*\\(|sendto\\s*\\(|sendmail\\s*\\(|curl[\\s"\',]{1,4}[^\\n]{0,120}?(?:["\']?-[fdt]["\']?[\\s,]|--data|--upload|-x\\s*post)|wget\\s+(?:https?|ftp)|sendbeacon|xmlhttprequest|fetch\\s*\\([^)\\n]{0,200}method\\s*:\\s*[\'"]post|socket\\.socket\\s*\\(|aiohttp\\.clientsession|netcat|\\bnc\\s+-[a-z]*e|invoke-webrequest|bluetooth\\.|\\.connect\\s*\\(\\s*\\(',
  reach: 260,
});

const sensitiveSource = defineRule({
  id: 'code.sensitive_source',
  weight: 0.4,
  anchors: [
    'environ',
    'process.env',
    'getenv',
    'psutil',
    'cookie',
    'clipboard',
    '/etc/',
    '.ssh',
    'id_rsa',
    'private',
    'credentials',
    'keylog',
    'pynput',
    'getpass',
    'localstorage',
    'wmi',
    'usb.core',
    'driverquery',
    'sounddevice',
    'platform.uname',
    'gethostname',
    'keychain',
    'wallet',
    'browser_cookie',
    'login data',
    '.aws',
  ],
  source:
    'os\\.environ|process\\.env|getenv\\s*\\(|psutil\\.|cookiejar|cookies?\\.(?:txt|pkl|json|sqlite)|document\\.cookie|browser_cookie3?|clipboard|\\/etc\\/(?:passwd|shadow|hosts)|\\.ssh\\/|id_rsa|private[_ ]?key|\\.aws\\/credentials|credentials\\.json|keylog|pynput|getpass\\s*\\(|localstorage\\.|wmi\\.wmi|usb\\.core|driverquery|sounddevice|query_devices|platform\\.uname|socket\\.gethostname|keychain|wallet\\.dat|login data',
  reach: 120,
});

const destructiveExec = defineRule({
  id: 'code.destructive_exec',
  weight: 0.45,
  anchors: [
    'rm -',
    'dd if',
    'mkfs',
    'remove(',
    'rmtree',
    'systemctl',
    'chmod +x',
    'nohup',
    'exec(',
    'eval(',
    'os.system',
    'shell=true',
    'dup2',
    '/bin/sh',
    '/bin/bash',
    'reboot',
    'shutdown',
    'powershell',
    'iex',
    'invoke-expression',
    '| sh',
    '| bash',
    '|sh',
    '|bash',
    'terminate()',
    'kill(',
    'fork()',
    'disable()',
    'crontab',
    'rc.local',
    'cryptominer',
    'crypto-miner',
    'coinminer',
    'coin-miner',
    'xmrig',
    'urlretrieve',
    'while true',
    'while(true)',
    'while (true)',
  ],
  source:
    'rm\\s+-[a-z]*r[a-z]*f?\\s+[\\/~*]|dd\\s+if=|mkfs|(?:os\\.remove|os\\.unlink|shutil\\.rmtree)\\s*\\(\\s*[\'"]\\/|systemctl\\s+(?:stop|disable|mask)|chmod\\s+\\+x|nohup|exec\\s*\\(\\s*(?:open|requests|urllib|base64|compile|__import__)|eval\\s*\\(\\s*(?:requests|urllib|base64|atob|compile|__import__)|os\\.system\\s*\\(|shell\\s*=\\s*true|os\\.dup2|\\/bin\\/(?:ba)?sh\\s+-i|(?:sudo\\s+|["\'`(]\\s*)reboot\\b|reboot\\s+(?:now|-f)|shutdown\\s+(?:-|\\/)|powershell\\s+-(?:enc|e\\s|nop|w\\s+hidden)|\\biex\\s*\\(|invoke-expression|(?:curl|wget)[^|\\n]{0,200}\\|\\s*(?:sudo\\s+)?(?:ba)?sh|\\.terminate\\s*\\(\\)|os\\.kill\\s*\\(|os\\.fork\\s*\\(\\)|\\.disable\\s*\\(\\)|crontab|rc\\.local|xmrig|crypto-?miner|coin-?miner|while\\s*\\(?\\s*true\\s*\\)?\\s*:?[^\\n]{0,3}\\n?[^\\n]{0,80}?(?:requests\\.|os\\.system|subprocess|fork|ping\\s)',
  reach: 260,
});

/** Harmful-code rules. */
export const CODE_RULES: readonly SignalRule[] = [networkSend, sensitiveSource, destructiveExec];
