import { render, type ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api, csrfToken, request, whenSignedOut } from "./api";
import { ErrorText, useAction, useLoad } from "./components";
import { Keys } from "./pages/keys";
import { Login } from "./pages/login";
import { Logs } from "./pages/logs";
import { Models } from "./pages/models";
import { Overview } from "./pages/overview";
import { Playground } from "./pages/playground";
import { Settings } from "./pages/settings";
import { Teams } from "./pages/teams";
import { SessionContext, type SessionInfo } from "./session";
import "./style.css";

const BASE = "/ui";

interface Page {
  path: string;
  title: string;
  component: ComponentType;
  /** The admin route the page reads first: without it the page is hidden. */
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

/** The pages the signed-in role may open (all of them until the session is known). */
const allowed = (session: SessionInfo | undefined) => PAGES.filter((p) => !p.needs || !session || session.routes.includes(p.needs));

function App() {
  // The CSRF cookie is readable and lives as long as the HttpOnly session cookie: its presence
  // says a session probably exists; the first admin call that answers 401 says it does not.
  const [signedIn, setSignedIn] = useState(() => !!csrfToken());
  const path = usePath();
  const logout = useAction();
  const session = useLoad(() => (signedIn ? api<SessionInfo>("/ui/api/session") : Promise.resolve(undefined)), [signedIn]);
  const pages = allowed(session.data);
  const page = pages.find((p) => p.path === path);

  useEffect(() => whenSignedOut(() => setSignedIn(false)), []);
  useEffect(() => {
    document.title = `${signedIn ? (page?.title ?? "Not found") : "Sign in"} · Switchyard`;
    document.getElementById("main")?.focus();
  }, [page, signedIn]);

  if (!signedIn) return <Login onSignedIn={() => setSignedIn(true)} />;

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
                  aria-current={p.path === path ? "page" : undefined}
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
        {session.data?.role ? (
          <span class="who" data-testid="role">
            {session.data.role.replace(/_/g, " ")}
          </span>
        ) : null}
        <button
          type="button"
          class="secondary"
          disabled={logout.busy}
          onClick={() =>
            logout.run(async () => {
              await request("/ui/api/logout", { method: "POST", body: {} });
              setSignedIn(false);
              history.replaceState(null, "", `${BASE}/`);
            })
          }
        >
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <ErrorText error={logout.error ?? session.error} />
        <SessionContext.Provider value={session.data ?? null}>
          {Component ? (
            <Component />
          ) : (
            <>
              <h1>Not found</h1>
              <p>{PAGES.some((p) => p.path === path) ? "Your role may not open this page." : `There is no page at ${location.pathname}.`}</p>
            </>
          )}
        </SessionContext.Provider>
      </main>
    </>
  );
}

render(<App />, document.getElementById("app")!);
