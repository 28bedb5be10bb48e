import { render, type ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";
import { csrfToken, request, whenSignedOut } from "./api";
import { ErrorText, useAction } from "./components";
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
}

const PAGES: Page[] = [
  { path: "/", title: "Overview", component: Overview },
  { path: "/keys", title: "Keys", component: Keys },
  { path: "/teams", title: "Teams", component: Teams },
  { path: "/models", title: "Models", component: Models },
  { path: "/logs", title: "Logs", component: Logs },
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

function App() {
  // The CSRF cookie is readable and lives as long as the HttpOnly session cookie: its presence
  // says a session probably exists; the first admin call that answers 401 says it does not.
  const [signedIn, setSignedIn] = useState(() => !!csrfToken());
  const path = usePath();
  const page = PAGES.find((p) => p.path === path);
  const logout = useAction();

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
            {PAGES.map((p) => (
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
        <ErrorText error={logout.error} />
        {Component ? (
          <Component />
        ) : (
          <>
            <h1>Not found</h1>
            <p>There is no page at {location.pathname}.</p>
          </>
        )}
      </main>
    </>
  );
}

render(<App />, document.getElementById("app")!);
