import type { Logger } from '../../../../src/logger.js';
import type { EntityFinding, EntityRecognizer, InjectionModel } from '../../../../src/guardrails/types.js';
import type { GuardrailsService } from '../../../../src/guardrails/service/index.js';

/** Finds every "John Smith" as a person_name: a stand-in for NER. */
export const johnSmith: EntityRecognizer = {
  name: 'test-names',
  types: ['person_name'],
  analyze(text) {
    const out: EntityFinding[] = [];
    for (let i = text.indexOf('John Smith'); i !== -1; i = text.indexOf('John Smith', i + 1))
      out.push({ type: 'person_name', start: i, end: i + 10, score: 0.9, recognizer: 'test-names' });
    return out;
  },
};

/** Scores "ignore previous instructions" as injection. */
export const keywordModel: InjectionModel = {
  name: 'test-keyword-model',
  score(text) {
    const hit = /ignore (all )?previous instructions/i.test(text);
    return { score: hit ? 0.97 : 0.02, signals: hit ? ['override'] : [], model: 'test-keyword-model' };
  },
};

/**
 * A recognizer that spins on every text until `release()` is called (bounded, so a broken test cannot
 * hang): it keeps a request busy, one text at a time, while the test looks at the service.
 */
export function gatedRecognizer(spinMs = 2): {
  recognizer: EntityRecognizer;
  started: Promise<void>;
  release(): void;
} {
  let released = false;
  let signalStart!: () => void;
  const started = new Promise<void>((resolve) => (signalStart = resolve));
  return {
    recognizer: {
      name: 'gated',
      types: ['person_name'],
      analyze() {
        signalStart();
        if (released) return [];
        const until = Date.now() + spinMs;
        while (Date.now() < until && !released) {
          // busy: the work of a slow model
        }
        return [];
      },
    },
    started,
    release: () => {
      released = true;
    },
  };
}

/** A logger that keeps what it is given. */
export function recordingLogger(): Logger & {
  lines: { message: string; fields?: Record<string, unknown> }[];
} {
  const lines: { message: string; fields?: Record<string, unknown> }[] = [];
  const keep = (message: string, fields?: Record<string, unknown>) => void lines.push({ message, fields });
  return { lines, debug: keep, info: keep, warn: keep, error: keep };
}

/** POST a JSON body (or a raw string) to the service. */
export async function post(
  service: GuardrailsService,
  path: string,
  body: unknown,
): Promise<{ status: number; headers: Headers; json: unknown }> {
  const res = await fetch(`${service.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
}

/** GET a path of the service. */
export async function get(
  service: GuardrailsService,
  path: string,
): Promise<{ status: number; headers: Headers; json: unknown }> {
  const res = await fetch(`${service.url}${path}`);
  return { status: res.status, headers: res.headers, json: await res.json() };
}
