// The TSL example of seed 001 L17868-17908 (B5 /app/thing/dsl/get), reproduced verbatim in shape.
export const SEED_TSL = {
  schema: 'https://iotx-tsl.oss-ap-southeast-1.aliyuncs.com/schema.json',
  profile: { productKey: 'a1PHv5Xn2xX', deviceName: 'xixi' },
  link: '/sys/a1PHv5Xn2xX/xixi/thing/',
  services: [
    {
      identifier: 'set',
      name: 'set',
      method: 'thing.service.property.set',
      required: true,
      callType: 'async',
      desc: '属性设置',
      inputData: [],
      outputData: [],
    },
    {
      identifier: 'get',
      name: 'get',
      method: 'thing.service.property.get',
      required: true,
      callType: 'async',
      desc: '属性获取',
      inputData: ['CurtainOperation', 'PowerSwitch', 'CurtainPosition', 'LocalTimer'],
      outputData: [],
    },
  ],
  properties: [
    {
      identifier: 'CurtainOperation',
      name: '模式',
      accessMode: 'rw',
      required: false,
      dataType: { type: 'enum', specs: { '0': '关窗帘', '1': '开', '2': '暂停' } },
    },
    {
      identifier: 'PowerSwitch',
      name: '电源开关',
      accessMode: 'rw',
      required: false,
      dataType: { type: 'bool', specs: { '0': '关', '1': '开' } },
    },
    {
      identifier: 'CurtainPosition',
      name: '位置',
      accessMode: 'rw',
      required: false,
      dataType: { type: 'int', specs: { unit: '%', min: '0', unitName: '百分⽐', max: '100', step: '1' } },
    },
    {
      identifier: 'LocalTimer',
      name: '本地定时',
      accessMode: 'rw',
      required: true,
      dataType: {
        type: 'array',
        specs: {
          size: '109',
          item: {
            type: 'struct',
            specs: [
              { identifier: 'Timer', name: '定时时间', dataType: { type: 'text', specs: { length: '255' } } },
              { identifier: 'Enable', name: '启⽤', dataType: { type: 'bool', specs: { '0': '关', '1': '开' } } },
              { identifier: 'IsValid', name: '可执⾏', dataType: { type: 'bool', specs: { '0': '⽆效', '1': '有效' } } },
              { identifier: 'Targets', name: '定时动作', dataType: { type: 'text', specs: { length: '2048' } } },
            ],
          },
        },
      },
    },
  ],
  events: [
    {
      identifier: 'post',
      name: 'post',
      method: 'thing.event.property.post',
      type: 'info',
      required: true,
      desc: '属性上报',
      outputData: [],
    },
  ],
};
