import { useState } from "preact/hooks";
import { api, type SignedIn } from "../api";
import { ErrorText, Field, useAction } from "../components";

/**
 * Sign in with the master key, or with UI_USERNAME / UI_PASSWORD when the gateway sets them; with
 * Cloudflare Access configured (general_settings.cloudflare_access), also as the Access user.
 */
export function Login({ access, initialError, onSignedIn }: { access: boolean; initialError?: unknown; onSignedIn: (who: SignedIn) => void }) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const { busy, error, run } = useAction();
  const viaAccess = useAction();
  return (
    <main id="main" class="login" tabIndex={-1}>
      <h1>Switchyard admin</h1>
      {access && (
        <section aria-label="Cloudflare Access">
          <p>This gateway is behind Cloudflare Access: sign in as the Access user (a user of this gateway with that email), with that user's role.</p>
          <button type="button" disabled={viaAccess.busy} onClick={() => viaAccess.run(async () => onSignedIn(await api<SignedIn>("/ui/api/login/access", { body: {} })))}>
            {viaAccess.busy ? "Signing in…" : "Continue with Cloudflare Access"}
          </button>
          <ErrorText error={viaAccess.error ?? initialError} />
        </section>
      )}
      <p>Sign in with the gateway's master key (leave the username empty), or with the UI username and password set on the gateway.</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          run(async () => {
            const who = await api<SignedIn>("/ui/api/login", { body: { username: username || undefined, password } });
            setPassword("");
            onSignedIn(who);
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
