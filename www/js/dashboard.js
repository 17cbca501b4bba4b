// The signed-in owner's dashboard state: the account (plan, build credits,
// projects with their Cloud Credits balances) and the selected project.
// Modules listen for `change` and re-read `dashboard.account` / `.project`.

import { api } from './api.js';

/** Remembers, across reloads, that this browser has signed in (the cookie itself is HttpOnly). */
const SIGNED_IN_HINT = 'rcc-demo-signed-in';

/** The dashboard's state and its change notifications. */
export class Dashboard extends EventTarget {
  /** The account as `GET /v1/account` returns it, or `null` when signed out. */
  account = null;
  /** The selected project's id. */
  projectId = null;

  /** @param {string | null} preferredProjectId the project to select first (`?project=`, else the app's). */
  constructor(preferredProjectId) {
    super();
    this.preferredProjectId = preferredProjectId;
  }

  /** The selected project, or `null`. */
  get project() {
    return this.account?.projects.find((p) => p.id === this.projectId) ?? null;
  }

  /** Whether an earlier visit signed in (so reading the account is worth trying). */
  get probablySignedIn() {
    return localStorage.getItem(SIGNED_IN_HINT) === '1';
  }

  /** Signs in and loads the account. */
  async signIn(email, password) {
    this.setAccount(await api.signIn(email, password));
    localStorage.setItem(SIGNED_IN_HINT, '1');
  }

  /** Signs out (the server clears the cookie). */
  async signOut() {
    try {
      await api.signOut();
    } finally {
      localStorage.removeItem(SIGNED_IN_HINT);
      this.setAccount(null);
    }
  }

  /** Reads the account again (after any change). Forgets a session the server refused. */
  async refresh() {
    try {
      this.setAccount(await api.account());
    } catch (error) {
      if (error.code === 'unauthorized') {
        localStorage.removeItem(SIGNED_IN_HINT);
        this.setAccount(null);
      }
      throw error;
    }
  }

  /** Selects project `id`. */
  select(id) {
    if (id === this.projectId) return;
    this.projectId = id;
    this.dispatchEvent(new CustomEvent('change', { detail: { projectChanged: true } }));
  }

  /** Replaces the account (`null`: signed out), keeping the selection when that project still exists. */
  setAccount(account) {
    const before = this.projectId;
    this.account = account;
    const ids = account?.projects.map((p) => p.id) ?? [];
    if (!ids.includes(this.projectId)) {
      this.projectId = [this.preferredProjectId, ids[0]].find((id) => id && ids.includes(id)) ?? null;
    }
    this.dispatchEvent(new CustomEvent('change', { detail: { projectChanged: before !== this.projectId } }));
  }
}
