import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Command } from 'commander';
import { loadPolicyFile } from '../../policy/load.js';
import { effectivePiiTypes } from '../../policy/derived.js';
import { FileUnreadableError, InvalidArgumentError } from '../../errors.js';
import { ContentPipeline, type ContentFinding } from '../../content/content-pipeline.js';
import { createPiiScanner } from '../../content/pii/scanner.js';
import { createInjectionScorer } from '../../content/injection/scorer.js';
import { PiiSession } from '../../content/pii/session.js';
import { guardrailsClientFromEnv } from '../../guardrails/client/guardrails-client.js';
import type { CliIO } from '../io.js';
import { reportError } from '../report-error.js';
import { GUARDRAILS_URL_OPTION } from '../guardrails-option.js';

const TYPES_BY_EXTENSION: Record<string, string> = {
  '.json': 'application/json',
  '.ndjson': 'application/x-ndjson',
  '.jsonl': 'application/x-ndjson',
  '.html': 'text/html',
  '.htm': 'text/html',
  '.txt': 'text/plain',
  '.md': 'text/plain',
  '.sse': 'text/event-stream',
  '.form': 'application/x-www-form-urlencoded',
};

interface ScanOptions {
  policy: string;
  direction: string;
  json?: boolean;
  contentType?: string;
  host?: string;
  guardrailsUrl?: string;
}

/** The Guardrails deadline of a scan, unless GUARDRAILS_TIMEOUT_MS sets one. */
const SCAN_GUARDRAILS_DEADLINE_MS = 5_000;

/** Exit status when a stage blocked the body, so scripts can tell "blocked" from "invalid input". */
export const EXIT_BLOCKED = 3;

/**
 * `declaw scan --policy FILE [--direction outbound|inbound] [--json] [INPUT]`: run the content stages
 * of a policy over a file or stdin, offline, and print the result or a JSON report. With
 * `--guardrails-url` (or GUARDRAILS_URL) the Guardrails Service adds NER and the injection model, with
 * the proxy's fallback: when it does not answer, the built-in engines decide and stderr says so.
 */
export function registerScanCommand(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('scan')
    .description(
      'run the content stages of a policy (transformations, PII, injection, invisible text) over a file or stdin, offline',
    )
    .argument('[input]', 'file to scan (default: standard input)')
    .requiredOption('--policy <file>', 'policy file, YAML or JSON')
    .option(
      '--direction <dir>',
      'outbound (a request leaving the sandbox) or inbound (a response)',
      'outbound',
    )
    .option('--content-type <type>', 'body media type (default: from the file extension, else sniffed)')
    .option('--host <name>', 'destination host, for policies scoped with domains')
    .option('--json', 'print a report { output, blocked, findings } instead of the output')
    .option(...GUARDRAILS_URL_OPTION)
    .action(async (input: string | undefined, opts: ScanOptions) => {
      const json = Boolean(opts.json);
      let guardrails: ReturnType<typeof guardrailsClientFromEnv>;
      try {
        if (opts.direction !== 'outbound' && opts.direction !== 'inbound') {
          throw new InvalidArgumentError(
            '--direction',
            `must be outbound or inbound, not "${opts.direction}"`,
          );
        }
        const policy = await loadPolicyFile(opts.policy);
        let body: Buffer;
        if (input && input !== '-') {
          try {
            body = await readFile(input);
          } catch (err) {
            throw new FileUnreadableError(input, err);
          }
        } else body = await io.readStdin();
        const contentType =
          opts.contentType ?? (input ? TYPES_BY_EXTENSION[extname(input).toLowerCase()] : undefined);
        guardrails = guardrailsClientFromEnv(process.env, {
          ...(opts.guardrailsUrl !== undefined ? { url: opts.guardrailsUrl } : {}),
          // One body, no traffic waiting: unlike the proxy, a scan can wait for a cold service.
          ...(process.env.GUARDRAILS_TIMEOUT_MS ? {} : { deadlineMs: SCAN_GUARDRAILS_DEADLINE_MS }),
        });
        const scanner = createPiiScanner();
        const pipeline = new ContentPipeline(policy, {
          scanner,
          injectionScorer: createInjectionScorer(),
          session: new PiiSession(),
          ...(guardrails ? { guardrails } : {}),
        });
        const ctx = { contentType, host: opts.host };
        const result =
          opts.direction === 'outbound'
            ? await pipeline.outboundAsync(body, ctx)
            : await pipeline.inboundAsync(body, ctx);
        for (const f of result.findings) {
          if (f.stage === 'guardrails_fallback' && !json) {
            io.stderr(`guardrails: ${f.operation} fell back to the built-in engines (${f.reason})\n`);
          }
        }
        if (json) {
          const findings: Array<ContentFinding | Record<string, unknown>> = [...result.findings];
          if (opts.direction === 'outbound' && policy.json.pii.enabled) {
            // Positions of PII in the body as the PII stage saw it (after transformations), by type.
            const seen = pipeline.transform.applyToBuffer(body, 'outbound').output.toString('utf8');
            const positions = scanner.scan(seen, effectivePiiTypes(policy)).map((f) => ({
              type: f.type,
              start: f.start,
              end: f.end,
            }));
            findings.push({ stage: 'pii_positions', positions });
          }
          const report = {
            output: result.blocked ? null : result.output.toString('utf8'),
            blocked: result.blocked
              ? { stage: result.blocked.stage, code: result.blocked.code, message: result.blocked.message }
              : false,
            findings,
          };
          io.stdout(`${JSON.stringify(report, null, 2)}\n`);
        } else if (result.blocked) {
          io.stderr(`blocked (${result.blocked.code}): ${result.blocked.message}\n`);
        } else {
          io.stdout(result.output.toString('utf8'));
        }
        setExit(result.blocked ? EXIT_BLOCKED : 0);
      } catch (err) {
        setExit(reportError(io, err, json));
      } finally {
        guardrails?.close();
      }
    });
}
