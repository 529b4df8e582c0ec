// What a request asks for, derived from its method and URL alone, so authorization can decide before any handler
// runs. A port of Kubernetes' RequestInfoFactory (k8s.io/apiserver pkg/endpoints/request/requestinfo.go):
//
//   /api/v1/{resource}[/{name}[/{subresource}]]                         cluster-scoped, core group
//   /api/v1/namespaces/{ns}/{resource}[/{name}[/{subresource}]]         namespaced, core group
//   /apis/{group}/{version}/...                                         same shapes, named group
//   /api/v1/watch/...  /api/v1/proxy/...                                legacy verb prefixes
//
// Anything else (/version, /healthz, /openapi/v3, /api, /apis, /api/v1, /apis/{group}[/{version}]) is a
// non-resource request whose verb is the lower-cased HTTP method.

export interface RequestInfo {
  isResourceRequest: boolean;
  /** The URL path without the query string. */
  path: string;
  /** get list watch create update patch delete deletecollection proxy; for non-resource requests the method. */
  verb: string;
  /** 'api' or 'apis' for resource requests, '' otherwise. */
  apiPrefix: string;
  /** '' is the core group. */
  apiGroup: string;
  apiVersion: string;
  /** '' for cluster-scoped resources and for the namespaces collection. */
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
}

/** Prefixes that may start a verb path segment; `proxy` never has a subresource. */
const specialVerbs = new Set(['proxy', 'watch']);
/** Subresources of a namespace itself: /api/v1/namespaces/{ns}/status is the namespace's status, not a resource. */
const namespaceSubresources = new Set(['status', 'finalize']);
const streamingSubresources = new Set(['exec', 'attach', 'portforward']);
const methodVerbs: Record<string, string> = { POST: 'create', GET: 'get', HEAD: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };
/** Go's strconv.ParseBool true values, which is what the apiserver's parameter codec accepts for `watch`. */
const trueValues = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);

/** A path the WHATWG URL parser would return unchanged: RFC 3986 path characters without `%`, no dot segment, not
 *  `//` (which it would read as a host). */
const plainPath = /^\/(?!\/)[A-Za-z0-9\-._~!$&'()*+,;=:@/]*$/;
const dotSegment = /\/\.\.?(\/|$)/;

/** The path and query of a request target. Most requests take the plain path as it is: parsing every URL with
 *  `new URL` was 3% of the apiserver's CPU in a burst. */
function splitTarget(url: string): { path: string; search: string } {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (plainPath.test(path) && !dotSegment.test(path)) return { path, search: q < 0 ? '' : url.slice(q) };
  const parsed = new URL(url, 'http://request.invalid');
  return { path: parsed.pathname, search: parsed.search };
}

export function requestInfo(method: string, url: string): RequestInfo {
  const target = splitTarget(url);
  const path = target.path;
  const info: RequestInfo = {
    isResourceRequest: false, path, verb: method.toLowerCase(),
    apiPrefix: '', apiGroup: '', apiVersion: '', namespace: '', resource: '', subresource: '', name: '',
  };

  let parts = splitPath(path);
  if (parts.length < 3 || (parts[0] !== 'api' && parts[0] !== 'apis')) return info;
  const apiPrefix = parts[0];
  parts = parts.slice(1);
  let apiGroup = '';
  if (apiPrefix === 'apis') {
    // /apis/{group}/{version} is group-version discovery, not a resource.
    if (parts.length < 3) return info;
    apiGroup = parts[0];
    parts = parts.slice(1);
  }
  info.isResourceRequest = true;
  info.apiPrefix = apiPrefix;
  info.apiGroup = apiGroup;
  info.apiVersion = parts[0];
  parts = parts.slice(1);

  if (specialVerbs.has(parts[0])) {
    info.verb = parts[0];
    parts = parts.slice(1);
    // Kubernetes rejects `/api/v1/watch` with nothing after it; there is no resource to name, so treat it as
    // the non-resource path it then is.
    if (parts.length === 0) return { ...info, isResourceRequest: false, verb: method.toLowerCase(), apiPrefix: '', apiGroup: '', apiVersion: '' };
  } else {
    info.verb = methodVerbs[method.toUpperCase()] ?? '';
  }

  if (parts[0] === 'namespaces') {
    if (parts.length > 1) {
      info.namespace = parts[1];
      if (parts.length > 2 && !namespaceSubresources.has(parts[2])) parts = parts.slice(2);
    }
  }

  // parts is now resource/name/subresource/...; anything past the subresource is not interpreted.
  if (parts.length >= 3 && info.verb !== 'proxy') info.subresource = parts[2];
  if (parts.length >= 2) info.name = parts[1];
  info.resource = parts[0] ?? '';

  if (info.name === '' && info.verb === 'get') {
    const query = new URLSearchParams(target.search);
    info.verb = trueValues.has(query.get('watch') ?? '') ? 'watch' : 'list';
    // `kubectl get pod x -w` lists with fieldSelector=metadata.name=x: authorize it as a request for that name.
    const byName = exactNameSelector(query.get('fieldSelector'));
    if (byName !== undefined) info.name = byName;
  }
  if (info.name === '' && info.verb === 'delete') info.verb = 'deletecollection';
  // Streaming subresources are `create`, whatever the method: a websocket GET runs commands just as the SPDY POST
  // does (kube-apiserver 1.35's AuthorizePodWebsocketUpgradeCreatePermission; kubernetes#133515).
  if (info.resource === 'pods' && apiGroup === '' && streamingSubresources.has(info.subresource)) info.verb = 'create';
  return info;
}

function splitPath(path: string): string[] {
  const trimmed = path.replace(/^\/+|\/+$/g, '');
  if (trimmed === '') return [];
  return trimmed.split('/').map(decodeSegment);
}

function decodeSegment(segment: string): string {
  try { return decodeURIComponent(segment); } catch { return segment; }
}

/** The name a field selector pins down, if it is exactly one `metadata.name=` (or `==`) term and a valid segment. */
function exactNameSelector(selector: string | null): string | undefined {
  if (!selector) return undefined;
  const m = /^\s*metadata\.name\s*==?\s*([^,=!\s]+)\s*$/.exec(selector);
  if (!m) return undefined;
  const name = m[1];
  if (name === '.' || name === '..' || name.includes('/') || name.includes('%')) return undefined;
  return name;
}
