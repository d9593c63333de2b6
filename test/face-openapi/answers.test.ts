/** Named face answer codes: unique in their range; an empty search is a success; the device code stays in data. */
import { describe, expect, it } from 'vitest';
import { failure } from '../../drivers/face-terminal-openapi/answers.js';
import { ERRORS } from '../../edge/errors.js';
import { OpenApiError } from '../../protocols/face-openapi/index.js';

describe('face answer codes', () => {
  it('are unique within 6430-6449 (460 is the public bad-request code)', () => {
    const face = Object.entries(ERRORS)
      .filter(([k]) => k.startsWith('EDGE_ERR_FACE_') && k !== 'EDGE_ERR_FACE_BAD_REQUEST')
      .map(([, v]) => v.alink);
    expect(new Set(face).size).toBe(face.length);
    for (const c of face) expect(c >= 6430 && c <= 6449).toBe(true);
    expect(ERRORS.EDGE_ERR_FACE_BAD_REQUEST.alink).toBe(460);
  });

  it('answer 50008 (Search List Null) as an empty success and an unknown code as EDGE_ERR_FACE_UNKNOWN', () => {
    expect(failure(new OpenApiError(50008, ''))).toMatchObject({ code: 200, data: { deviceCode: 50008 } });
    expect(failure(new OpenApiError(12345, 'odd'))).toMatchObject({
      code: ERRORS.EDGE_ERR_FACE_UNKNOWN.alink,
      data: { deviceCode: 12345 },
    });
  });
});
