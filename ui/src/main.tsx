import { render, type ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api, request, type SessionInfo, type SignedIn, whenSignedOut } from "./api";
import { ErrorText, useAction } from "./components";
import { SessionContext } from "./session";
import { Keys } from "./pages/keys";
import { Login } from "./pages/login";
import { Logs } from "./pages/logs";
import { Models } from "./pages/models";
import { Overview } from "./pages/overview";
import { Playground } from "./pages/playground";
import { Settings } from "./pages/settings";
import { Teams } from "./pages/teams";
import "./style.css";

const BASE = "/ui";

interface Page {
  path: string;
  title: string;
  component: ComponentType;
  /** The admin route the page reads first: a role its grants do not allow does not see the page. */
  needs?: string;
}

const PAGES: Page[] = [
  { path: "/", title: "Overview", component: Overview, needs: "GET /global/spend/report" },
  { path: "/keys", title: "Keys", component: Keys, needs: "GET /key/list" },
  { path: "/teams", title: "Teams", component: Teams, needs: "GET /team/list" },
  { path: "/models", title: "Models", component: Models, needs: "GET /model/info" },
  { path: "/logs", title: "Logs", component: Logs, needs: "GET /spend/logs" },
  { path: "/playground", title: "Playground", component: Playground },
  { path: "/settings", title: "Settings", component: Settings },
];

const canSee = (p: Page, info: SessionInfo | null) => !p.needs || !!info?.routes?.includes(p.needs);

/** The page path under /ui ("/" for the overview). */
function currentPath(): string {
  const p = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : "/";
  return p.replace(/\/+$/, "") || "/";
}

export function navigate(path: string): void {
  history.pushState(null, "", BASE + (path === "/" ? "/" : path));
  dispatchEvent(new PopStateEvent("popstate"));
}

function usePath(): string {
  const [path, setPath] = useState(currentPath());
  useEffect(() => {
    const on = () => setPath(currentPath());
    addEventListener("popstate", on);
    return () => removeEventListener("popstate", on);
  }, []);
  return path;
}

/** Asks who is signed in; behind Cloudflare Access with no session yet, signs in with the assertion at once. */
async function startSession(): Promise<{ info: SessionInfo; error?: unknown }> {
  let info: SessionInfo;
  try {
    info = await api<SessionInfo>("/ui/api/session");
  } catch (error) {
    return { info: { signed_in: false, user_id: null, user_role: null, cloudflare_access: false, access_assertion: false }, error };
  }
  if (info.signed_in || !info.access_assertion) return { info };
  try {
    await api<SignedIn>("/ui/api/login/access", { body: {} });
    // Signed in: the session now says what the role may use.
    return { info: await api<SessionInfo>("/ui/api/session") };
  } catch (error) {
    return { info, error };
  }
}

function App() {
  const [info, setInfo] = useState<SessionInfo | null>(null);
  const [startError, setStartError] = useState<unknown>(null);
  const path = usePath();
  const role = info?.signed_in ? info.user_role : null;
  const pages = PAGES.filter((p) => canSee(p, info?.signed_in ? info : null));
  // "/" is the first page the role may see (the Overview for admins).
  const page = pages.find((p) => p.path === path) ?? (path === "/" ? pages[0] : undefined);
  const hidden = !page && PAGES.some((p) => p.path === path);
  const logout = useAction();

  useEffect(() => {
    void startSession().then(({ info, error }) => {
      setInfo(info);
      setStartError(error ?? null);
    });
  }, []);
  useEffect(() => whenSignedOut(() => setInfo((i) => (i ? { ...i, signed_in: false } : i))), []);
  useEffect(() => {
    if (!info) return;
    document.title = `${info.signed_in ? (page?.title ?? "Not found") : "Sign in"} · Switchyard`;
    document.getElementById("main")?.focus();
  }, [page, info]);

  if (!info) {
    return (
      <main id="main" class="login" tabIndex={-1} aria-busy="true">
        <p>Loading…</p>
      </main>
    );
  }
  if (!info.signed_in) {
    return (
      <Login
        access={info.cloudflare_access}
        initialError={startError}
        onSignedIn={() =>
          void startSession().then(({ info, error }) => {
            setInfo(info);
            setStartError(error ?? null);
          })
        }
      />
    );
  }

  const Component = page?.component;
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Switchyard</span>
        <nav aria-label="Pages">
          <ul>
            {pages.map((p) => (
              <li key={p.path}>
                <a
                  href={BASE + (p.path === "/" ? "/" : p.path)}
                  aria-current={p === page ? "page" : undefined}
                  onClick={(e) => {
                    if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
                    e.preventDefault();
                    navigate(p.path);
                  }}
                >
                  {p.title}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span class="who">
          {info.user_id ? `${info.user_id}: ` : ""}
          <span data-testid="role">{(info.user_role ?? "").replace(/_/g, " ")}</span>
        </span>
        <button
          type="button"
          class="secondary"
          disabled={logout.busy}
          onClick={() =>
            logout.run(async () => {
              await request("/ui/api/logout", { method: "POST", body: {} });
              setInfo({ ...info, signed_in: false, access_assertion: false });
              history.replaceState(null, "", `${BASE}/`);
            })
          }
        >
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <ErrorText error={logout.error} />
        <SessionContext.Provider value={info}>
          {Component ? (
            <Component />
          ) : hidden ? (
            <>
              <h1>Not available</h1>
              <p>Your role ({role}) cannot see this page.</p>
            </>
          ) : (
            <>
              <h1>Not found</h1>
              <p>There is no page at {location.pathname}.</p>
            </>
          )}
        </SessionContext.Provider>
      </main>
    </>
  );
}

render(<App />, document.getElementById("app")!);
