// `npm run kafka:acls -- [--agencies a,b,...] [--prefix P] [--bootstrap HOST:PORT]
//   [--command-config FILE]`: prints the ACL table (packages/messaging/src/kafka-access.ts) as
// kafka-acls.sh commands, for a production cluster whose operators apply ACLs with Kafka's own
// tools. Without --agencies, the agency systems are those of the development secrets file.
import { aclBindings, kafkaAclCommands, kafkaSecurityFromEnv } from '@homeward/messaging';
import { knownAgencies } from './topics.ts';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
}

const agencies =
  option('agencies')
    ?.split(',')
    .map((a) => a.trim())
    .filter(Boolean) ?? knownAgencies(kafkaSecurityFromEnv(process.env));
const bindings = aclBindings({ prefix: option('prefix') ?? '', agencies });
const lines = kafkaAclCommands(bindings, {
  bootstrap: option('bootstrap') ?? 'kafka-1:9094',
  commandConfig: option('command-config') ?? '/run/secrets/kafka-admin.properties',
});
process.stdout.write(
  `# Homeward ACL table: ${bindings.length} bindings for ${agencies.length} agency systems.\n` +
    '# The authorizer denies everything else (allow.everyone.if.no.acl.found=false); the broker and admin\n' +
    '# principals are super users (super.users) and need none.\n' +
    `${lines.join('\n')}\n`,
);
