// A status word with the colour of its meaning. The words come from the apiserver's printers (kubectl's rules); this
// only sorts them into good, in progress and bad.
const GOOD = new Set(['Running', 'Ready', 'Completed', 'Succeeded', 'Complete', 'True', 'Normal']);
const PENDING = new Set(['Pending', 'ContainerCreating', 'PodInitializing', 'Terminating', 'Unknown', 'Ready,SchedulingDisabled']);

export function statusTone(text: string): 'good' | 'pending' | 'bad' {
  if (GOOD.has(text)) return 'good';
  if (PENDING.has(text) || text.startsWith('Init:') && !/Error|BackOff/.test(text)) return 'pending';
  return 'bad';
}

export function StatusText({ text }: { text: string }) {
  return <span class={`status ${statusTone(text)}`}>{text}</span>;
}
