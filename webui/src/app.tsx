/** The console: sign-in when auth is on, then Collections, Query, Search and Server views. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, errorText, getText, signedInUser, signOut } from './api.js';
import { CollectionsView } from './collections.js';
import { ConfirmDialog, type ConfirmRequest } from './dialog.js';
import { collectionNames, collectionSummary, databaseNames, type CollectionSummary } from './model.js';
import { parseMetrics, type Samples } from './prom.js';
import { QueryView } from './query.js';
import { SearchView } from './search.js';
import { pointOf, ServerPanel, type Point, type Scrape } from './server-panel.js';
import { SignIn } from './signin.js';

const VIEWS = [['collections', 'Collections'], ['query', 'Query'], ['search', 'Search'], ['server', 'Server']] as const;
type View = (typeof VIEWS)[number][0];
const REFRESH_MS = 3000;
const POINTS_KEPT = 60;

function viewOfHash(): View {
  const h = location.hash.slice(1);
  return VIEWS.find(([v]) => v === h)?.[0] ?? 'collections';
}

interface Live {
  collections: CollectionSummary[];
  samples: Samples;
  scrape: Scrape | null;
  points: Point[];
  health: string;
  metricsError: string;
}

const EMPTY: Live = { collections: [], samples: [], scrape: null, points: [], health: '–', metricsError: '' };

/** One refresh: /metrics, /healthz and the database's collections. */
async function readLive(dbName: string, prev: Live): Promise<Live> {
  let samples: Samples = prev.samples;
  let scrape = prev.scrape;
  let points = prev.points;
  let metricsError = '';
  try {
    const m = await getText('/metrics');
    if (m.status !== 200) throw new Error(`/metrics: HTTP ${m.status}`);
    samples = parseMetrics(m.text);
    const next = { atMs: Date.now(), samples };
    points = [...points, pointOf(scrape ?? undefined, next)].slice(-POINTS_KEPT);
    scrape = next;
  } catch (e) {
    if (e instanceof ApiError && e.unauthenticated) throw e;
    metricsError = errorText(e);
  }
  const health = (await getText('/healthz')).text;
  const names = await collectionNames(dbName);
  const collections = await Promise.all(names.map((n) => collectionSummary(dbName, n, samples)));
  return { collections, samples, scrape, points, health, metricsError };
}

function Header(props: { dbs: string[]; dbName: string; setDb: (d: string) => void; view: View; onSignOut: () => void }) {
  const user = signedInUser();
  return (
    <header class="top">
      <h1>Sextant</h1>
      <nav aria-label="Views">
        {VIEWS.map(([v, label]) => (
          <a key={v} href={`#${v}`} aria-current={props.view === v ? 'page' : undefined}>{label}</a>
        ))}
      </nav>
      <label class="inline">Database
        <select id="database" value={props.dbName} onChange={(e) => props.setDb(e.currentTarget.value)}>
          {props.dbs.map((d) => <option key={d} value={d}>{d}</option>)}
        </select>
      </label>
      {user !== null && <span class="user">{user} <button type="button" onClick={props.onSignOut}>Sign out</button></span>}
    </header>
  );
}

function useLive(dbName: string, active: boolean, onUnauthenticated: () => void): [Live, () => Promise<void>] {
  const [live, setLive] = useState<Live>(EMPTY);
  const liveRef = useRef<Live>(EMPTY);
  const refresh = async (): Promise<void> => {
    try {
      const next = await readLive(dbName, liveRef.current);
      liveRef.current = next;
      setLive(next);
    } catch (e) {
      if (e instanceof ApiError && e.unauthenticated) onUnauthenticated();
      else setLive({ ...liveRef.current, metricsError: errorText(e) });
    }
  };
  useEffect(() => {
    if (!active) return undefined;
    liveRef.current = EMPTY;
    void refresh();
    const timer = setInterval(() => { void refresh(); }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [dbName, active]);
  return [live, refresh];
}

export function App() {
  const [phase, setPhase] = useState<'checking' | 'signin' | 'ready'>('checking');
  const [dbs, setDbs] = useState<string[]>([]);
  const [dbName, setDbName] = useState('default');
  const [view, setView] = useState<View>(viewOfHash());
  const [selected, setSelected] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<ConfirmRequest | null>(null);
  const [note, setNote] = useState<{ text: string; error: boolean }>({ text: '', error: false });
  const toSignIn = (): void => { signOut(); setPhase('signin'); };
  const [live, refresh] = useLive(dbName, phase === 'ready', toSignIn);
  useEffect(() => {
    const onHash = (): void => setView(viewOfHash());
    window.addEventListener('hashchange', onHash);
    databaseNames().then((d) => { setDbs(d); setPhase('ready'); }, (e: unknown) => {
      if (e instanceof ApiError && e.unauthenticated) setPhase('signin');
      else { setNote({ text: errorText(e), error: true }); setPhase('ready'); }
    });
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  if (phase === 'checking') return <p class="muted">Connecting…</p>;
  if (phase === 'signin') return <SignIn onSignedIn={(d) => { setDbs(d); setPhase('ready'); }} />;
  const common = { dbName, collections: live.collections };
  return (
    <>
      <Header dbs={dbs} dbName={dbName} setDb={(d) => { setDbName(d); setSelected(null); }} view={view} onSignOut={toSignIn} />
      <p role="status" aria-live="polite" id="status" class={note.error ? 'error' : 'muted'}>{note.text}</p>
      <main>
        {view === 'collections' && (
          <CollectionsView {...common} samples={live.samples} selected={selected ?? live.collections[0]?.name ?? null} onSelect={setSelected}
            refresh={refresh} confirm={setConfirm} notify={(text, error) => setNote({ text, error })} />
        )}
        {view === 'query' && live.collections.length > 0 && <QueryView {...common} />}
        {view === 'search' && live.collections.length > 0 && <SearchView {...common} />}
        {view === 'server' && <ServerPanel health={live.health} scrape={live.scrape} points={live.points} metricsError={live.metricsError} />}
      </main>
      <ConfirmDialog request={confirm} onClose={() => setConfirm(null)} />
    </>
  );
}
