// Authentication, authorization and TLS credentials for the apiserver. Responsible for: who a request is from
// (static bearer tokens), whether it may do what it asks (a fixed policy: admins, nodes, read-only users), the
// 401/403 Status responses, where the server may listen without credentials, and generating a CA, serving
// certificate, tokens and kubeconfigs. Not responsible for: serving TLS (fastify's `https` option takes the PEM
// files) or reading flags and environment (main.ts/config.ts).
export { requestInfo, type RequestInfo } from './request-info.ts';
export { loadTokenFile, parseTokenFile, type TokenMap } from './token-file.ts';
export { authenticate } from './authenticate.ts';
export { authorize, forbiddenError, forbiddenMessage, isOpenPath, type Decision } from './authorize.ts';
export { nodeRestriction } from './node-restriction.ts';
export { registerAuth, type AuthOptions } from './auth-hook.ts';
export { checkListenPolicy, isLoopback, type ListenPolicy, type ListenPolicyInput } from './listen-policy.ts';
export { generateCerts, validateCertOptions, type GenerateCertsOptions, type GeneratedCerts } from './certs.ts';
export { runGenerateCerts, defaultServer } from './generate-certs.ts';
export { kubeconfigYaml, type KubeconfigInput } from './kubeconfig.ts';
export { anonymousAdmin, anonymousUser, groups, nodeNameOf, nodeUserName, type UserInfo } from './user-info.ts';
