/**
 * Client of the face algorithm service (seed 001 L38937-39067): the box is the HTTP client.
 * `GET /` answers `Face Recognition Service`; `POST /match` (features only) and
 * `POST /match_with_face_detect` (detect, then features) take a multipart `photo` ≤ 1 MB and
 * answer `{code: 200|400|500, message, data: number[]}`.
 */

export const HEALTH_BODY = 'Face Recognition Service';
/** The service's answer codes (L38937-39067), plus the box's own for no answer. */
export const ALGO_CODE = { OK: 200, BAD_INPUT: 400, FAILED: 500, UNREACHABLE: 0, TIMEOUT: 408 } as const;
const MAX_PHOTO_BYTES = 1024 * 1024;

export class AlgoError extends Error {
  /** 400 invalid input, 500 extraction failed (service codes); 0 service unreachable; 408 timeout. */
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.name = 'AlgoError';
    this.code = code;
  }
}

export class FaceAlgoClient {
  readonly #base: string;
  readonly #timeoutMs: number;

  constructor(baseUrl: string, timeoutMs = 5000) {
    this.#base = baseUrl.replace(/\/+$/, '');
    this.#timeoutMs = timeoutMs;
  }

  async healthy(): Promise<boolean> {
    try {
      const res = await fetch(`${this.#base}/`, { signal: AbortSignal.timeout(this.#timeoutMs) });
      return res.ok && (await res.text()).trim() === HEALTH_BODY;
    } catch {
      return false;
    }
  }

  /** Feature vector of a photo; `detect` asks the service to locate the face first. */
  async extract(photo: Buffer, detect: boolean): Promise<number[]> {
    if (photo.byteLength > MAX_PHOTO_BYTES) throw new AlgoError(ALGO_CODE.BAD_INPUT, `photo of ${photo.byteLength} bytes exceeds 1 MB`);
    const form = new FormData();
    form.append('photo', new Blob([photo], { type: 'image/jpeg' }), 'face.jpg');
    let res: Response;
    try {
      res = await fetch(`${this.#base}/${detect ? 'match_with_face_detect' : 'match'}`, {
        method: 'POST',
        body: form,
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (err) {
      const e = err as Error;
      if (e.name === 'TimeoutError' || e.name === 'AbortError')
        throw new AlgoError(ALGO_CODE.TIMEOUT, `face algorithm service did not answer within ${this.#timeoutMs} ms`);
      throw new AlgoError(
        ALGO_CODE.UNREACHABLE,
        `face algorithm service unreachable: ${(e.cause as Error | undefined)?.message ?? e.message}`,
      );
    }
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      throw new AlgoError(ALGO_CODE.FAILED, `face algorithm service answered HTTP ${res.status} without JSON`);
    }
    const b = body as { code?: unknown; message?: unknown; data?: unknown };
    if (b.code !== ALGO_CODE.OK)
      throw new AlgoError(
        typeof b.code === 'number' ? b.code : ALGO_CODE.FAILED,
        typeof b.message === 'string' ? b.message : 'feature extraction failed',
      );
    if (!Array.isArray(b.data) || b.data.length === 0 || !b.data.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      throw new AlgoError(ALGO_CODE.FAILED, 'face algorithm service returned no feature vector');
    }
    return b.data as number[];
  }
}
