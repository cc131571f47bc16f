/** `rehydrate_response` → `rehydrateResponse`, as a type. */
export type SnakeToCamel<S extends string> = S extends `${infer H}_${infer T}`
  ? `${H}${Capitalize<SnakeToCamel<T>>}`
  : S;

/** Deeply renames snake_case keys of a JSON-like type to camelCase. */
export type CamelizeDeep<T> = T extends readonly (infer U)[]
  ? CamelizeDeep<U>[]
  : T extends object
    ? { [K in keyof T as K extends string ? SnakeToCamel<K> : K]: CamelizeDeep<T[K]> }
    : T;

/** `rehydrateResponse` → `rehydrate_response`; snake_case input passes unchanged. */
export function camelToSnake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** `rehydrate_response` → `rehydrateResponse`. */
export function snakeToCamel(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/**
 * Rename every object key of a JSON-like value. Policy objects have only fixed field names (no maps
 * keyed by user data), so renaming keys never touches user content.
 */
export function renameKeysDeep(value: unknown, rename: (key: string) => string): unknown {
  if (Array.isArray(value)) return value.map((v) => renameKeysDeep(v, rename));
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[rename(k)] = renameKeysDeep(v, rename);
    return out;
  }
  return value;
}
