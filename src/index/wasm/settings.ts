/**
 * Process-wide wasm settings. The process entry points set them from their options (server/main.ts
 * from SEXTANT_WASM / SEXTANT_WASM_BLOCK_BYTES, the embedded client's open(), the CLI) before the
 * first search; the pool hands them to its workers in workerData. Nothing below reads the environment.
 */
export interface WasmSettings {
  /** false: never load the wasm kernels; every search runs the JS kernels. Read at first use. */
  enabled: boolean;
  /** Bytes of rows per scan block when nq > 1 (for measuring). */
  blockBytes: number;
}

export const DEFAULT_WASM_SETTINGS: Readonly<WasmSettings> = { enabled: true, blockBytes: 128 * 1024 };

let current: Readonly<WasmSettings> = DEFAULT_WASM_SETTINGS;

export function wasmSettings(): Readonly<WasmSettings> {
  return current;
}

/** Change some settings (unset ones stay); `enabled` takes effect only before the kernels are first loaded. */
export function configureWasm(settings: Partial<WasmSettings>): void {
  const next = { ...current, ...settings };
  if (!Number.isInteger(next.blockBytes) || next.blockBytes <= 0) {
    throw new Error(`wasm block bytes must be a positive integer, got ${next.blockBytes}`);
  }
  current = next;
}
