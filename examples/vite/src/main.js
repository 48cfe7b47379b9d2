import { pendingReferrals, settingsFrom } from "./referrals.js";
import { render, renderError } from "./render.js";

pendingReferrals(settingsFrom(location.search)).then((result) => render(result, "in the page"), renderError);
