// core/v1 Event validation (k/k `legacyValidateEvent`): the event's namespace must agree with the involved
// object's, and the new-style fields (eventTime set) need reportingComponent/reportingInstance/action/reason.
import { field, type FieldError } from './field-errors.ts';
import { isDNS1123Subdomain, isQualifiedName } from './names.ts';
import { validateObjectMeta } from './validate-meta.ts';
import type { KubeEvent } from './types.ts';

const REASON_LIMIT = 128;
const ACTION_LIMIT = 128;
const REPORTING_INSTANCE_LIMIT = 128;
const NOTE_LIMIT = 1024;

const atMost = (n: number) => `can have at most ${n} characters`;

export function validateEvent(ev: KubeEvent): FieldError[] {
  const errs = validateObjectMeta(ev.metadata, { namespaced: true, nameValidator: isDNS1123Subdomain });
  const involved = ev.involvedObject;
  if (!involved || Object.keys(involved).length === 0) errs.push(field.required('involvedObject'));
  const ns = ev.metadata?.namespace ?? '';
  const involvedNs = involved?.namespace ?? '';
  if (!ev.eventTime) {
    if (involvedNs === '' ? ns !== '' && ns !== 'default' : ns !== involvedNs) {
      errs.push(field.invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
    }
  } else {
    if (involvedNs === '' && ns !== 'default' && ns !== 'kube-system') {
      errs.push(field.invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
    }
    const rc = ev.reportingComponent ?? '';
    if (!rc) errs.push(field.required('reportingComponent'));
    else for (const m of isQualifiedName(rc)) errs.push(field.invalid('reportingComponent', rc, m));
    const ri = ev.reportingInstance ?? '';
    if (!ri) errs.push(field.required('reportingInstance'));
    if (ri.length > REPORTING_INSTANCE_LIMIT) errs.push(field.invalid('reportingInstance', '', atMost(REPORTING_INSTANCE_LIMIT)));
    const action = (ev.action as string | undefined) ?? '';
    if (!action) errs.push(field.required('action'));
    if (action.length > ACTION_LIMIT) errs.push(field.invalid('action', '', atMost(ACTION_LIMIT)));
    if (!ev.reason) errs.push(field.required('reason'));
  }
  if ((ev.reason ?? '').length > REASON_LIMIT) errs.push(field.invalid('reason', '', atMost(REASON_LIMIT)));
  if ((ev.message ?? '').length > NOTE_LIMIT) errs.push(field.invalid('message', '', atMost(NOTE_LIMIT)));
  if (ev.type && ev.type !== 'Normal' && ev.type !== 'Warning') errs.push(field.notSupported('type', ev.type, ['Normal', 'Warning']));
  return errs;
}
