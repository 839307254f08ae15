import defaultPolicyJson from './default-policy.json';
import type { AccessPolicy } from './schema';
import { parsePolicy } from './validate';

/** The shipped access policy, validated when this module loads (a broken default fails at start). */
export const defaultPolicy: AccessPolicy = parsePolicy(defaultPolicyJson);
