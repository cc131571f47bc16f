import RE2 from 're2';
import { normalizeHostname, parseNetworkEntry } from './network-entry.js';

/** Tests a host name against a list of host patterns (domains, `*.x` wildcards, `~regex`). */
export interface HostMatcher {
  /** The pattern that matched the (normalised) host, or undefined. */
  match(host: string): string | undefined;
  readonly size: number;
}

/**
 * Compile host patterns for matching. Semantics (ARCHITECTURE.md): names compare lower-case without a
 * trailing dot, IDNs as punycode; `*.example.com` matches subdomains only, not the apex; `~regex` must
 * match the whole name (it is anchored), so `~openai\.com` does not match `openai.com.evil.net`.
 * IP and CIDR entries are ignored here (the IP matcher handles them).
 *
 * @example
 * compileHostMatcher(['*.openai.com']).match('API.OpenAI.com.') // '*.openai.com'
 */
export function compileHostMatcher(patterns: readonly string[]): HostMatcher {
  const exact = new Map<string, string>();
  const suffixes: Array<[string, string]> = [];
  const regexes: Array<[RE2, string]> = [];
  for (const raw of patterns) {
    const e = parseNetworkEntry(raw);
    if (e.kind === 'domain') exact.set(e.text, e.text);
    else if (e.kind === 'wildcard') suffixes.push([`.${e.suffix}`, e.text]);
    else if (e.kind === 'regex') regexes.push([new RE2(`^(?:${e.source})$`, 'u'), e.text]);
  }
  return {
    size: exact.size + suffixes.length + regexes.length,
    match(host: string): string | undefined {
      const name = normalizeHostname(host);
      if (!name) return undefined;
      const hit = exact.get(name);
      if (hit) return hit;
      for (const [suffix, text] of suffixes) if (name.endsWith(suffix)) return text;
      for (const [re, text] of regexes) if (re.test(name)) return text;
      return undefined;
    },
  };
}
