// The dashboard's shell: navigation, the view for the current hash route, and the sign-in prompt whenever the
// apiserver answers 401. Everything it shows comes from the public API (list + websocket watch).
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api } from './api/api.ts';
import { forgetPermissions } from './api/can-i.ts';
import { session } from './api/session.ts';
import { restartAll } from './api/use-list-watch.ts';
import { href, useRoute } from './parts/route.ts';
import { TokenPrompt } from './parts/token-prompt.tsx';
import { EventsView } from './views/events-view.tsx';
import { NodesView } from './views/nodes-view.tsx';
import { PodPage } from './views/pod-page.tsx';
import { PodsView } from './views/pods-view.tsx';
import { WorkloadsView } from './views/workloads-view.tsx';

const TABS = [['nodes', 'Nodes'], ['pods', 'Pods'], ['workloads', 'Workloads'], ['events', 'Events']] as const;

function App() {
  const route = useRoute();
  const [prompt, setPrompt] = useState<{ refused: boolean } | undefined>();
  useEffect(() => {
    const off = session.onUnauthorized((refused) => setPrompt((p) => p ?? { refused }));
    // One request up front: a cluster with tokens says 401 here, before any view renders an error.
    api('/api/v1/namespaces?limit=1').catch(() => { /* a 401 opened the prompt; views show other errors */ });
    return off;
  }, []);
  const tab = route[0] ?? 'nodes';
  const signOut = () => { session.clear(); forgetPermissions(); restartAll(); };
  let view;
  if (tab === 'pods' && route.length >= 3) view = <PodPage namespace={route[1]} name={route[2]} />;
  else if (tab === 'pods') view = <PodsView />;
  else if (tab === 'workloads') view = <WorkloadsView />;
  else if (tab === 'events') view = <EventsView />;
  else view = <NodesView />;
  return (
    <>
      <nav class="top">
        <a class="brand" href={href('nodes')}><img src="/ui/icon.svg" alt="" width="22" height="22" />Podling</a>
        {TABS.map(([id, title]) => <a key={id} href={href(id)} class={tab === id ? 'active' : ''}>{title}</a>)}
        {session.token() && <button class="small signout" onClick={signOut}>Sign out</button>}
      </nav>
      <main>{view}</main>
      {prompt && <TokenPrompt refused={prompt.refused} done={() => setPrompt(undefined)} />}
    </>
  );
}

render(<App />, document.getElementById('app')!);
