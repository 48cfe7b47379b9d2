// Settings and stored state, shared by the service worker, the popup and the options page.

/** Settings (`chrome.storage.local` key `settings`); `pollSeconds` may be short for tests. */
export const DEFAULT_SETTINGS = {
  baseUrl: "https://api.partner.microsoft.com/v1.0/",
  token: "",
  pollSeconds: 300,
};

export async function settings() {
  const { settings: stored = {} } = await chrome.storage.local.get("settings");
  return { ...DEFAULT_SETTINGS, ...stored };
}

/**
 * The deadlines of the pending referrals (`{ id: respondBy }`) at `now` (ms): how many, the
 * nearest deadline still ahead, and how many are already past.
 */
export function summarize(pending, now) {
  const deadlines = Object.values(pending).filter((d) => typeof d === "string");
  const ahead = deadlines.filter((d) => Date.parse(d) >= now).sort();
  return {
    count: Object.keys(pending).length,
    next: ahead[0],
    overdue: deadlines.length - ahead.length,
  };
}
