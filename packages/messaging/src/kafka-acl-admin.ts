import type { AclEntry, Admin } from 'kafkajs';
import kafkajs from 'kafkajs';
import type { AclBinding } from './kafka-access.ts';

// kafkajs is CommonJS: its enums are properties of the module, not named ESM exports.
const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;

function toEntry(b: AclBinding): AclEntry {
  return {
    resourceType: b.resourceType === 'TOPIC' ? AclResourceTypes.TOPIC : AclResourceTypes.GROUP,
    resourceName: b.resourceName,
    resourcePatternType:
      b.patternType === 'LITERAL' ? ResourcePatternTypes.LITERAL : ResourcePatternTypes.PREFIXED,
    principal: `User:${b.principal}`,
    host: '*',
    operation: AclOperationTypes[b.operation],
    permissionType: AclPermissionTypes.ALLOW,
  };
}

/**
 * Applies bindings with an administrator's client. Creating a binding that exists changes
 * nothing, so applying the table again (every `infra:up`) is idempotent.
 */
export async function applyAclBindings(admin: Admin, bindings: readonly AclBinding[]): Promise<void> {
  // One request per few hundred bindings: one large request is slow to time out on a busy broker.
  for (let i = 0; i < bindings.length; i += 500) {
    await admin.createAcls({ acl: bindings.slice(i, i + 500).map(toEntry) });
  }
}

/** Removes exactly these bindings (a test's prefix when its topics go). */
export async function deleteAclBindings(admin: Admin, bindings: readonly AclBinding[]): Promise<void> {
  for (let i = 0; i < bindings.length; i += 500) {
    await admin.deleteAcls({ filters: bindings.slice(i, i + 500).map(toEntry) });
  }
}
