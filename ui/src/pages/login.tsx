import { useState } from "preact/hooks";
import { api } from "../api";
import { ErrorText, Field, useAction } from "../components";

/** Sign in with the master key, or with UI_USERNAME / UI_PASSWORD when the gateway sets them. */
export function Login({ onSignedIn }: { onSignedIn: () => void }) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const { busy, error, run } = useAction();
  return (
    <main id="main" class="login" tabIndex={-1}>
      <h1>Switchyard admin</h1>
      <p>Sign in with the gateway's master key (leave the username empty), or with the UI username and password set on the gateway.</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          run(async () => {
            await api("/ui/api/login", { body: { username: username || undefined, password } });
            setPassword("");
            onSignedIn();
          });
        }}
      >
        <Field label="Username (optional)">
          <input name="username" autocomplete="username" value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
        </Field>
        <Field label="Master key or password">
          <input name="password" type="password" required autocomplete="current-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </Field>
        <button type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
        <ErrorText error={error} />
      </form>
    </main>
  );
}
