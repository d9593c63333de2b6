/** Error codes of the push protocol (seed 003 §3, L5477-5567). Every code travels as a string. */
export const PushCode = {
  OK: '100', // 操作正确
  FAILED: '200', // 一般操作错误
  REGISTER_ERROR: '201', // 云端校验注册错误
  TOKEN_ERROR: '202', // token 校验错误
  UNKNOWN_MESSAGE: '203', // 消息类型未知
  UNKNOWN_ERROR: '1000',
  PERSON_PARAM_INVALID: '300',
  FEATURE_FAILED: '301',
  FACE_LIBRARY_FULL: '302',
  IMAGE_DECODE_FAILED: '303',
  REGISTER_TIMEOUT: '304',
  PERSON_EXTRACTING: '700',
  PERSON_EXTRACT_TIMEOUT: '701',
  DEVICE_PARAM_INVALID: '400',
  GET_INFO_TIMEOUT: '401',
  SET_INFO_TIMEOUT: '402',
  DOWNLOADING: '500',
  UPGRADING: '501',
  DOWNLOAD_FAILED: '502',
  LENGTH_CHECK_FAILED: '503',
  HASH_CHECK_FAILED: '504',
  VERSION_CHECK_FAILED: '505',
  LOCAL_UPGRADE_FAILED: '506',
  ALREADY_UPGRADING: '507',
  PHOTO_TIMEOUT: '600',
  NO_FACE: '601',
  RECORD_EXTRACTING: '800',
  RECORD_EXTRACT_TIMEOUT: '801',
} as const;

export type PushCodeValue = (typeof PushCode)[keyof typeof PushCode];

/** The seed's message for each code (L5483-5567), for logs and caller answers. */
export const PUSH_CODE_TEXT: Record<string, string> = {
  '100': '操作正确',
  '200': '操作错误',
  '201': '注册错误',
  '202': 'token校验错误',
  '203': '消息类型未知',
  '1000': '未知错误',
  '300': '人员信息参数非法',
  '301': '人脸特征提取失败,请更换图片',
  '302': '人脸注册数目已满',
  '303': '图片解码失败，请更换图片',
  '304': '人脸注册超时',
  '700': '正在提取人员',
  '701': '提取人员超时',
  '400': '设备参数非法',
  '401': '获取设备信息超时',
  '402': '设置设备信息超时',
  '500': '下载中',
  '501': '升级中',
  '502': '固件下载失败',
  '503': '固件长度校验失败',
  '504': '固件哈希值校验失败',
  '505': '固件版本校验失败',
  '506': '固件本地升级失败',
  '507': '固件已经在升级中',
  '600': '设备拍照超时,请重新拍照',
  '601': '设备未检测到人脸,请重新拍照',
  '800': '正在提取记录',
  '801': '提取记录超时',
};

/**
 * Codes that say "still working, the final result follows" rather than an outcome: the upgrade
 * progress codes of L879-897 and the extraction-in-progress codes 700/800.
 */
export const IN_PROGRESS_CODES: ReadonlySet<string> = new Set(['500', '501', '700', '800']);
