// Bad inputs of bare-metal hosts: BareMetalPool, BareMetalHost (BMC addresses and credentials,
// MACs) and BareMetalMachineTemplate.
import { App } from 'cdk8s';
import { BareMetalHostSpec, BareMetalPool, BmcCredentials, MetalImage } from '../../../src';
import { BadInput, base } from '../fixture';

const HOST: BareMetalHostSpec = {
  name: 'metal-01',
  bmc: { address: 'redfish-virtualmedia://192.168.20.11/redfish/v1/Systems/1' },
  bootMacAddress: '0c:c4:7a:00:10:01',
  capacity: { cpuCores: 64, memoryGiB: 512 },
};

/** The base platform with a pool "servers" (namespace metal3, credentials from Secrets bmc-<host>) holding `hosts`. */
function servers(app: App, ...hosts: Array<Partial<BareMetalHostSpec>>): BareMetalPool {
  const pool = new BareMetalPool(base(app).platform.configs, 'servers', { namespace: 'metal3', defaultCredentials: BmcCredentials.fromSecret('bmc-{host}') });
  for (const h of hosts) pool.addHost({ ...HOST, ...h, bmc: { ...HOST.bmc, ...h.bmc } });
  return pool;
}

export const BAREMETAL_ENTRIES: BadInput[] = [
  {
    id: 'host-mac-format',
    construct: 'BareMetalHost',
    title: 'a boot MAC that is not a MAC address',
    declare: (app) => servers(app, { bootMacAddress: '0c:c4:7a:00:10' }),
    path: 'platform-configs/servers/metal-01',
    field: 'bootMacAddress',
    message: /"0c:c4:7a:00:10" is not a MAC address/,
    fix: /six hex octets separated by colons/,
  },
  {
    id: 'host-mac-multicast',
    construct: 'BareMetalHost',
    title: 'a multicast MAC as boot MAC',
    declare: (app) => servers(app, { bootMacAddress: '01:00:5e:00:00:fb' }),
    path: 'platform-configs/servers/metal-01',
    field: 'bootMacAddress',
    message: /"01:00:5e:00:00:fb" is a multicast\/broadcast address, not the MAC of a NIC/,
    fix: /copy the boot NIC's MAC/,
  },
  {
    id: 'host-mac-twice',
    construct: 'BareMetalHost',
    title: 'one boot MAC on two hosts (a copied inventory line)',
    declare: (app) => servers(app, {}, { name: 'metal-02', bmc: { address: 'redfish-virtualmedia://192.168.20.12/redfish/v1/Systems/1' } }),
    path: 'platform-configs/servers/metal-02',
    field: 'bootMacAddress',
    message: /0c:c4:7a:00:10:01 is already the boot MAC of host "metal-01" \(platform-configs\/servers\/metal-01\)/,
    fix: /each NIC has its own MAC/,
  },
  {
    id: 'host-bmc-twice',
    construct: 'BareMetalHost',
    title: 'one BMC for two hosts',
    declare: (app) => servers(app, {}, { name: 'metal-02', bootMacAddress: '0c:c4:7a:00:10:02' }),
    path: 'platform-configs/servers/metal-02',
    field: 'bmc.address',
    message: /reaches the same BMC as host "metal-01"/,
    fix: /each server has its own BMC/,
  },
  {
    id: 'host-bmc-scheme',
    construct: 'BareMetalHost',
    title: 'a BMC URL whose scheme Metal3 does not accept',
    declare: (app) => servers(app, { bmc: { address: 'http://192.168.20.11/redfish/v1/Systems/1' } }),
    path: 'platform-configs/servers/metal-01',
    field: 'bmc.address',
    message: /scheme "http" of "http:\/\/192\.168\.20\.11\/redfish\/v1\/Systems\/1" is not one Metal3 accepts/,
    fix: /<scheme>:\/\/<host>\[:<port>\]\[\/path\] with one of the schemes Metal3 accepts/,
  },
  {
    id: 'host-bmc-credentials-in-url',
    construct: 'BareMetalHost',
    title: 'a BMC URL with user and password in it',
    declare: (app) => servers(app, { bmc: { address: 'redfish-virtualmedia://admin:Sup3rS3cret@192.168.20.11/redfish/v1/Systems/1' } }),
    path: 'platform-configs/servers/metal-01',
    field: 'bmc.address',
    message: /the BMC address carries user information \(text before "@"\), i\.e\. credentials/,
    fix: /reference the credentials with BmcCredentials\.fromSecret\(\)/,
    secret: 'Sup3rS3cret',
  },
  {
    id: 'host-plaintext-password',
    construct: 'BareMetalHost',
    title: 'a BMC password written into the program',
    declare: (app) => servers(app, { bmc: { address: HOST.bmc.address, password: 'Sup3rS3cret' } }),
    path: 'platform-configs/servers/metal-01',
    field: 'bmc.password',
    message: /a BMC password \(or other secret\) is given as plain text; it would be written into the synthesized manifests and Git\. The value is not shown here/,
    fix: /store user name and password in a Secret .* BmcCredentials\.fromSecret\(name\)/,
    secret: 'Sup3rS3cret',
  },
  {
    id: 'host-no-credentials',
    construct: 'BareMetalHost',
    title: 'a host without BMC credentials',
    declare: (app) => new BareMetalPool(base(app).platform.configs, 'servers', { namespace: 'metal3' }).addHost(HOST),
    path: 'platform-configs/servers/metal-01',
    field: 'bmc.credentials',
    message: /no BMC credentials for this host/,
    fix: /set defaultCredentials on the pool/,
  },
  {
    id: 'host-needs-boot-mac',
    construct: 'BareMetalHost',
    title: 'a network-booting BMC driver without the boot MAC',
    declare: (app) => servers(app, { bootMacAddress: undefined, bmc: { address: 'redfish://192.168.20.11/redfish/v1/Systems/1' } }),
    path: 'platform-configs/servers/metal-01',
    field: 'bootMacAddress',
    message: /BMC driver redfish boots the host over the network and needs the boot NIC's MAC/,
    fix: /set bootMacAddress, or use a virtual-media scheme/,
  },
  {
    id: 'host-capacity',
    construct: 'BareMetalHost',
    title: 'a host without memory',
    declare: (app) => servers(app, { capacity: { cpuCores: 64, memoryGiB: 0 } }),
    path: 'platform-configs/servers/metal-01',
    field: 'capacity.memoryGiB',
    message: /0 is not an amount of memory in GiB/,
    fix: /installed memory in GiB/,
  },
  {
    id: 'template-no-hosts',
    construct: 'BareMetalMachineTemplate',
    title: 'a machine template whose host labels match no host (dangling selector)',
    declare: (app) => {
      const pool = servers(app, { labels: { 'kmetal.io/role': 'worker' } });
      pool.machineTemplate(pool.node.scope as any, 'acme-metal', {
        clusterName: 'acme',
        image: MetalImage.fromUrl({ url: 'https://images.example.com/node-v1.4.0.raw', checksum: 'a'.repeat(64) }),
        hostLabels: { 'kmetal.io/role': 'gpu' },
      });
    },
    path: 'platform-configs/acme-metal',
    field: 'hostLabels',
    message: /the host selector .* matches none of the 1 host\(s\) of pool "servers", so machines would wait forever for a server/,
    fix: /label some of the pool's hosts with these labels, or drop hostLabels/,
  },
  {
    id: 'host-unknown-prop',
    construct: 'BareMetalHost',
    title: 'a misspelt host prop',
    declare: (app) => servers(app, { bootMac: '0c:c4:7a:00:10:01' } as any),
    path: 'platform-configs/servers/metal-01',
    field: 'bootMac',
    message: /"bootMac" is not a property of BareMetalHostProps/,
    fix: /did you mean "bootMacAddress"\?/,
  },
];
