/**
 * The embedded defaults: what `edge start` runs with no config file. Everything local:
 * data under ./data, console and health on 127.0.0.1:8080, the local bus on 127.0.0.1:1883,
 * and the simulated demo devices so a fresh box shows live values at once.
 */
export const DEFAULT_CONFIG_YAML = `
box:
  name: property-edge-demo
  dataDir: ./data
http:
  host: 127.0.0.1
  port: 8080
bus:
  host: 127.0.0.1
  port: 1883
# The edge file service on 127.0.0.1:9102 (docs/files.md): pass photos get download URLs.
files: {}
# The parking adapter as a hosted app (docs/apps.md, docs/parking.md), the service bus on
# 127.0.0.1:10060 and the data-model API on 127.0.0.1:10061: start the parking system it talks
# to with \`npm run sim -- parking\`.
appHost: { serviceBus: { host: 127.0.0.1 } }
apps:
  - { name: parking-adapter, path: apps/parking-adapter }
drivers:
  - name: Demo_Sim_EBA_Meter
    type: demo-sim
    config: { intervalMs: 1000 }
    devices:
      - { productKey: PEDemoMeter, deviceName: meter-01, alias: 一号楼电表, custom: { kind: meter } }
      - { productKey: PEDemoMeter, deviceName: meter-02, alias: 二号楼电表, custom: { kind: meter } }
      - { productKey: PEDemoThermo, deviceName: thermo-01, alias: 物业大厅温控器, custom: { kind: thermostat } }
  # A demo door on the standard protocol: start it with \`npm run sim -- door-standard\` (docs/door-standard.md).
  - name: Property_Door_PerAccess_Standard
    type: door-standard
    config: { host: 127.0.0.1, port: 10000, boxIp: 127.0.0.1 }
    devices:
      - { productKey: PEDoorQr, deviceName: DEMO-DOOR-01.2, alias: 演示门禁二维码, custom: { ip: 127.0.0.1, port: 18001 } }
      - { productKey: PEDoorCard, deviceName: DEMO-DOOR-01.3, alias: 演示门禁刷卡, custom: { ip: 127.0.0.1, port: 18001 } }
      - { productKey: PEDoorIntercom, deviceName: DEMO-DOOR-01.5, alias: 演示门口机, custom: { ip: 127.0.0.1, port: 18001 } }
  # Demo face terminals (docs/face-terminals.md): \`npm run sim -- face-push\` polls the box on 10010;
  # \`npm run sim -- face-openapi\` serves the OpenAPI on 8899 and the record push on 9000.
  - name: Property_FacePush_PerAccess_Terminal
    type: face-terminal-push
    config: { host: 127.0.0.1, port: 10010 }
    devices:
      - { productKey: PEFacePush, deviceName: DEMO-FACE-PUSH-01, alias: 演示人脸机(推送), custom: { deviceNo: DEMO-FACE-PUSH-01, ip: 127.0.0.1 } }
  - name: Property_FaceOpenApi_PerAccess_Terminal
    type: face-terminal-openapi
    config: { host: 127.0.0.1, port: 10020 }
    devices:
      - { productKey: PEFaceOpenApi, deviceName: DEMO-FACE-OA-01, alias: 演示人脸机(OpenAPI), custom: { ip: 127.0.0.1, port: 8899, wsPort: 9000, password: '123456', deviceId: DEMO-FACE-OA-01 } }
  # A demo GB28181 camera (docs/video.md): the box is the SIP server on 127.0.0.1:5060 (UDP and TCP);
  # \`npm run sim -- gb28181\` registers as it (add \`--nvr --channels 4\` to see discovered channels).
  - name: GB28181_Cameras_SecSystem
    type: gb28181-camera
    config: { sipIp: 127.0.0.1, password: '12345678' }
    devices:
      - { productKey: PEGbCamera, deviceName: DEMO-CAM-01, alias: 演示摄像机, custom: { gbId: '34020000001320000001', categoryCode: community/security/ipcamera } }
# Demo permissions for the demo door, so a scan in the door simulator passes offline at once:
# \`qr DEMOQR0PASS0FOR0THE0DEMO0DOOR001\` and \`card 10000001\` (docs/door-standard.md, Demo).
access:
  seedPersons:
    - { identityId: demo-resident-01, name: 演示住户 }
  seedPermissions:
    - device: PEDoorQr/DEMO-DOOR-01.2
      file: { qrCodePermissionList: [{ type: 1, qrCode: DEMOQR0PASS0FOR0THE0DEMO0DOOR001, userId: demo-resident-01, startTime: '1577836800000', endTime: '4102444800000', maxScanTimes: -1 }] }
    - device: PEDoorCard/DEMO-DOOR-01.3
      file: { tradCardPermissionList: [{ type: 1, cardId: '10000001', userId: demo-resident-01, endTime: '4102444800000' }] }
`;
