import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FileUnreadableError, InvalidArgumentError } from '../../errors.js';
import { loadBundledInjectionModel, loadInjectionModelFile } from '../injection/index.js';
import { createNerRecognizer } from '../ner/index.js';
import { createPatternRecognizers } from '../recognizers/index.js';
import type { EntityRecognizer, InjectionModel } from '../types.js';
import type { GuardrailsEngines } from './guardrails-service.js';

/** Options of {@link loadDefaultEngines}. */
export interface DefaultEnginesOptions {
  /** Directory with the NER's name lists (given-names.txt, name-parts.txt). Default: data/names. */
  nameDataDir?: string;
  /** A weights file from `npm run train:injection` instead of the bundled model. */
  injectionModelFile?: string;
}

/**
 * The engines `declaw guardrails serve` runs: NER for person_name, organization and location, the
 * pattern recognizers for passport, drivers_license, medical_record and bank_account, and the bundled
 * injection classifier (or a weights file the user trained). Everything is read from the package's
 * data/ folder; nothing is downloaded.
 *
 * @example
 * const service = createGuardrailsService({ engines: () => loadDefaultEngines() });
 */
export function loadDefaultEngines(options: DefaultEnginesOptions = {}): GuardrailsEngines {
  return {
    recognizers: [createNerRecognizer({ nameDataDir: options.nameDataDir }), ...createPatternRecognizers()],
    injectionModel: options.injectionModelFile
      ? loadInjectionModelFile(options.injectionModelFile)
      : loadBundledInjectionModel(),
  };
}

/**
 * What a plugin module may export (ESM): `recognizers` run beside the bundled ones, and an
 * `injectionModel` replaces the bundled model. Both may also come from a default-exported object.
 *
 * @example
 * // my-guardrails.mjs
 * export const recognizers = [{ name: 'employee-id', types: ['medical_record'], analyze: (t) => [] }];
 */
export interface GuardrailsPlugin {
  recognizers?: readonly EntityRecognizer[];
  injectionModel?: InjectionModel;
}

/**
 * Loads a plugin module from a file and adds it to `engines`: its recognizers after the bundled ones,
 * its injection model instead of the bundled one. The exports are checked, so a typo is reported at
 * start-up rather than as failing requests.
 *
 * @throws {FileUnreadableError} when the module cannot be imported.
 * @throws {InvalidArgumentError} when it exports something that is not a recognizer or model.
 * @example
 * const engines = await withPlugin(loadDefaultEngines(), './my-guardrails.mjs');
 */
export async function withPlugin(engines: GuardrailsEngines, file: string): Promise<GuardrailsEngines> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(resolve(file)).href)) as Record<string, unknown>;
  } catch (err) {
    throw new FileUnreadableError(file, err);
  }
  const source = (mod.default && typeof mod.default === 'object' ? mod.default : mod) as Record<
    string,
    unknown
  >;
  const recognizers = source.recognizers ?? [];
  if (!Array.isArray(recognizers) || !recognizers.every(isRecognizer))
    throw new InvalidArgumentError(
      '--plugin',
      `${file}: "recognizers" must be an array of {name, types, analyze(text, types)} objects`,
    );
  const model = source.injectionModel;
  if (model !== undefined && !isModel(model))
    throw new InvalidArgumentError(
      '--plugin',
      `${file}: "injectionModel" must be a {name, score(text)} object`,
    );
  if (recognizers.length === 0 && model === undefined)
    throw new InvalidArgumentError('--plugin', `${file} exports neither "recognizers" nor "injectionModel"`);
  return {
    recognizers: [...engines.recognizers, ...recognizers],
    injectionModel: model ?? engines.injectionModel,
  };
}

function isRecognizer(r: unknown): r is EntityRecognizer {
  const o = r as Partial<EntityRecognizer> | null;
  return (
    typeof o === 'object' &&
    o !== null &&
    typeof o.name === 'string' &&
    Array.isArray(o.types) &&
    typeof o.analyze === 'function'
  );
}

function isModel(m: unknown): m is InjectionModel {
  const o = m as Partial<InjectionModel> | null;
  return typeof o === 'object' && o !== null && typeof o.name === 'string' && typeof o.score === 'function';
}
