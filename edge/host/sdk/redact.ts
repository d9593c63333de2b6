// Never let these reach a log line: secrets, tokens, passwords, face images, card numbers. A
// driver logs in its own process, so the list is the SDK's; the daemon's logger uses the same one.
export const REDACT_PATHS = [
  'password',
  '*.password',
  'secret',
  '*.secret',
  'deviceSecret',
  '*.deviceSecret',
  'token',
  '*.token',
  'sign',
  '*.sign',
  'authorization',
  '*.authorization',
  'faceImage',
  '*.faceImage',
  'image',
  '*.image',
  'cardNo',
  '*.cardNo',
  'cardId',
  '*.cardId',
];
