/**
 * A tiny WebAssembly SIMD kernel: int8 dot products of one query against N stored vectors.
 * 50,000 × 512 float32 features are 100 MB, which one core cannot even stream in 15 ms; as
 * int8 they are 25 MB and `i32x4.dot_i16x8_s` does eight multiply-adds per instruction.
 * The module is assembled here from its opcodes (no toolchain needed at build time);
 * test/access/face-matcher.test.ts checks it against a plain JS loop.
 *
 * scores(q, base, n, dims, out): for f in 0..n: out[f] = Σ_k q[k]·base[f·dims + k]  (i8 → i32)
 */

const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
};
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const str = (s: string): number[] => [...uleb(s.length), ...Buffer.from(s, 'utf8')];

// Opcodes (WebAssembly core + SIMD final encoding).
const I32 = 0x7f, V128 = 0x7b;
const BLOCK = 0x02, LOOP = 0x03, VOID = 0x40, END = 0x0b, BR_IF = 0x0d;
const GET = 0x20, SET = 0x21, TEE = 0x22, CONST = 0x41;
const EQZ = 0x45, LT_U = 0x49, ADD = 0x6a, SHL = 0x74, STORE = 0x36;
const SIMD = 0xfd;
const V128_CONST = [SIMD, 0x0c, ...new Array<number>(16).fill(0)];
const LOAD8X8_S = [SIMD, 0x01, 0x00, 0x00]; // i16x8.load8x8_s, align 1, offset 0
const DOT = [SIMD, ...uleb(186)]; // i32x4.dot_i16x8_s
const ADD4 = [SIMD, ...uleb(174)]; // i32x4.add
const LANE = (i: number): number[] => [SIMD, 0x1b, i]; // i32x4.extract_lane

// params: 0 q, 1 base, 2 n, 3 dims, 4 out; locals: 5 f, 6 k, 7 p, 8 acc
const [Q, BASE, N, DIMS, OUT, F, K, P, ACC] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
const body: number[] = [
  0x02, 0x03, I32, 0x01, V128, // locals: 3 × i32, 1 × v128
  GET, BASE, SET, P,
  BLOCK, VOID,
  GET, N, EQZ, BR_IF, 0,
  LOOP, VOID,
  ...V128_CONST, SET, ACC,
  CONST, 0, SET, K,
  LOOP, VOID,
  GET, Q, GET, K, ADD, ...LOAD8X8_S,
  GET, P, GET, K, ADD, ...LOAD8X8_S,
  ...DOT, GET, ACC, ...ADD4, SET, ACC,
  GET, K, CONST, 8, ADD, TEE, K, GET, DIMS, LT_U, BR_IF, 0,
  END,
  GET, OUT, GET, F, CONST, 2, SHL, ADD,
  GET, ACC, ...LANE(0), GET, ACC, ...LANE(1), ADD, GET, ACC, ...LANE(2), ADD, GET, ACC, ...LANE(3), ADD,
  STORE, 0x02, 0x00,
  GET, P, GET, DIMS, ADD, SET, P,
  GET, F, CONST, 1, ADD, TEE, F, GET, N, LT_U, BR_IF, 0,
  END,
  END,
  END,
];

function moduleBytes(): Uint8Array {
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 5, I32, I32, I32, I32, I32, 0]),
    ...section(3, [1, 0]),
    ...section(5, [1, 0x00, 1]),
    ...section(7, [2, ...str('mem'), 0x02, 0, ...str('scores'), 0x00, 0]),
    ...section(10, [1, ...uleb(body.length), ...body]),
  ];
  return new Uint8Array(bytes);
}

// The project's lib setting has no WebAssembly typings: the little we use is typed here.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
}

export interface DotKernel {
  readonly memory: WasmMemory;
  scores(q: number, base: number, n: number, dims: number, out: number): void;
}

/** The SIMD kernel, or undefined where WebAssembly SIMD is not available (JS fallback then). */
export function loadSimdKernel(): DotKernel | undefined {
  const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
  if (!wasm) return undefined;
  try {
    const bytes = moduleBytes();
    if (!wasm.validate(bytes)) return undefined;
    const instance = new wasm.Instance(new wasm.Module(bytes));
    const ex = instance.exports as unknown as { mem: WasmMemory; scores: DotKernel['scores'] };
    return { memory: ex.mem, scores: ex.scores };
  } catch {
    return undefined;
  }
}
