/**
 * The key block and payload encryption of the indoor alarm unit protocol. The seed's sample
 * ciphertexts are not real ones (digest A5: the table's `mrmZ2Amm…` is 39 bytes, the AES sample
 * is Base64 of its plaintext), so the vectors here are our own: a key pair generated per run,
 * blocks made with Node's PKCS#1 v1.5 encryption (what Java's RSA/ECB/PKCS1Padding produces),
 * and a fixed AES vector checked against an independent computation.
 */
import { constants, createCipheriv, generateKeyPairSync, privateDecrypt, publicEncrypt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { aesDecrypt, aesEncrypt, decodeBase64, decryptKeyBlock, encryptKeyBlock, unpadKeyBlock } from '../../protocols/alarm-unit/index.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
const KEY = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');

describe('RSA key block', () => {
  it('recovers the AES key of an RSA/ECB/PKCS1Padding block (a fresh block every time)', () => {
    const a = encryptKeyBlock(publicKey, KEY);
    const b = encryptKeyBlock(publicKey, KEY);
    expect(a).not.toBe(b); // random padding
    expect(Buffer.from(a, 'base64').length).toBe(128); // the size of the seed's request example (L40862)
    expect(decryptKeyBlock(privateKey, a)).toEqual(KEY);
    expect(decryptKeyBlock(privateKey, b)).toEqual(KEY);
  });

  it('needs no PKCS#1 v1.5 private decryption (refused by Node 20 and later)', () => {
    const block = Buffer.from(encryptKeyBlock(publicKey, KEY), 'base64');
    // What our code avoids; whichever way this Node decides, ours works.
    let refused = false;
    try {
      privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, block);
    } catch {
      refused = true;
    }
    expect(typeof refused).toBe('boolean');
    expect(decryptKeyBlock(privateKey, block.toString('base64'))).toEqual(KEY);
  });

  it("rejects implicitly: a block with wrong padding gives a stable key that is not the sender's", () => {
    // A 17-byte message: valid PKCS#1 padding, but not a 16-byte key.
    const wrongLength = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.alloc(17, 7)).toString('base64');
    const k1 = decryptKeyBlock(privateKey, wrongLength);
    expect(k1).toHaveLength(16);
    expect(decryptKeyBlock(privateKey, wrongLength)).toEqual(k1);
    // Raw garbage below the modulus: bad padding.
    const raw = Buffer.alloc(128, 0);
    raw[1] = 0x55;
    const garbage = publicEncrypt({ key: publicKey, padding: constants.RSA_NO_PADDING }, raw).toString('base64');
    expect(decryptKeyBlock(privateKey, garbage)).toHaveLength(16);
    expect(decryptKeyBlock(privateKey, garbage)).not.toEqual(k1);
  });

  it("refuses what is visible without the key: not Base64, wrong length, the seed's 39-byte table sample", () => {
    expect(decryptKeyBlock(privateKey, 'not base64!')).toBeUndefined();
    expect(decryptKeyBlock(privateKey, Buffer.alloc(64).toString('base64'))).toBeUndefined();
    const tableSample = 'mrmZ2Amm5TNDjlxA+ssNt23QTcbcQNKxzMc+YDoewHkR1eOT2+fk='; // L40812-40815, joined
    // 53 characters: not even well-formed Base64; read leniently it is 39 bytes, no RSA block.
    expect(Buffer.from(tableSample, 'base64').length).toBe(39);
    expect(decodeBase64(tableSample)).toBeUndefined();
    expect(decryptKeyBlock(privateKey, tableSample)).toBeUndefined();
    // The request example (L40862-40863) is 128 bytes: the size of a 1024-bit block, from some other key.
    const example =
      'hlbtFix0/wrcca8SqUcy+5Q8J76xOM29fp4itQhstZhAQRRi+RITQPupSSnrZCXAGzPHYUdbKWijcMa0FGwAoPqw4m0Mot1HT3qKxMBHTvSGuOEayozZJMj18FL0tceGZ2V5BxkethBDsRTfn2qaDEMCaS9+go0dqj1aP0IjrYg=';
    expect(decodeBase64(example)?.length).toBe(128);
  });

  it('unpads in every position case: 00 02 PS 00 M', () => {
    const reject = Buffer.alloc(16, 0xee);
    const good = Buffer.concat([Buffer.from([0, 2]), Buffer.alloc(128 - 19, 0x11), Buffer.from([0]), KEY]);
    expect(unpadKeyBlock(good, reject)).toEqual(KEY);
    for (const [i, v] of [
      [0, 1],
      [1, 1],
      [5, 0],
      [128 - 17, 9],
    ] as const) {
      const b = Buffer.from(good);
      b[i] = v;
      expect(unpadKeyBlock(b, reject), `byte ${i} = ${v}`).toEqual(reject);
    }
  });
});

describe('AES-128-ECB/PKCS7 payloads', () => {
  it('match an independent computation and round-trip', () => {
    const text = JSON.stringify([{ zoneID: '01' }, { zoneID: '02', alarmTime: '1591069176000' }]); // the seed's alarmInfo (L41266-41274)
    const c = createCipheriv('aes-128-ecb', KEY, null);
    const expected = Buffer.concat([c.update(text), c.final()]).toString('base64');
    expect(aesEncrypt(KEY, text)).toBe(expected);
    expect(aesDecrypt(KEY, expected)).toBe(text);
    // PKCS7: a 16-byte multiple gets a whole padding block.
    expect(Buffer.from(aesEncrypt(KEY, 'x'.repeat(16)), 'base64')).toHaveLength(32);
  });

  it("refuse wrong keys, truncated data and the seed's sample, which is Base64 of plaintext (A5)", () => {
    const c = aesEncrypt(KEY, '[{"zoneID":"01"}]');
    const other = aesDecrypt(Buffer.alloc(16, 9), c);
    expect(other === undefined || other !== '[{"zoneID":"01"}]').toBe(true);
    expect(aesDecrypt(KEY, c.slice(0, 8))).toBeUndefined();
    const sample = 'ewogICAgJ2EiJzoiYiIKfQ=='; // L41008 and after
    expect(Buffer.from(sample, 'base64').toString()).toBe('{\n    \'a"\':"b"\n}');
    expect(aesDecrypt(KEY, sample)).toBeUndefined(); // 17 bytes: not whole blocks
  });
});
