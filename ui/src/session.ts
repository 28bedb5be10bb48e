import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { SessionInfo } from "./api";

export type { SessionInfo };

/** GET /ui/api/session, once signed in: who the UI is signed in as, and the admin routes its grants allow. */
export const SessionContext = createContext<SessionInfo | null>(null);

/**
 * May the signed-in caller use this route (`"POST /key/update"`)? The gateway still checks every
 * call; this only hides and disables what would be refused. Before the session is known, nothing.
 */
export function useCan(): (route: string) => boolean {
  const s = useContext(SessionContext);
  return (route) => !!s?.routes?.includes(route);
}

export function useSession(): SessionInfo | null {
  return useContext(SessionContext);
}
