// Regenerates www-example/screenshot.png (the README's picture of the example page): starts the
// demo servers with a pinned clock and seed, loads every referral, and shoots the top of the page.
// Needs pkg/, the release emulator binary, /usr/bin/chromium and the repo's playwright-core.
//   node www-example/screenshot.mjs [out.png]
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { resolve } from "node:path";
import { start } from "./serve.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const out = resolve(process.argv[2] ?? resolve(here, "screenshot.png"));
const { chromium } = createRequire(resolve(here, "../package.json"))("playwright-core");

const demo = await start({ port: 0, now: "2026-11-28T09:30:00Z", emulatorArgs: ["--quiet", "--seed", "1"] });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1240 }, deviceScaleFactor: 1, locale: "en-US" });
  await page.goto(demo.url);
  await page.locator("[data-testid=progress][data-state=paused]").waitFor();
  // The deadline preset (every incoming pending referral, kept when due within 3 days), oldest
  // first, then a typo being typed into the filter box: the caret and the data in one picture.
  await page.getByTestId("orderby").selectOption("createdDateTime asc");
  await page.getByTestId("preset-deadline").click();
  await page.locator("[data-testid=progress][data-state=done]").waitFor();
  await page.getByTestId("chart-by").selectOption("country");
  await page.getByTestId("filter").fill("direction eq 'Incoming' and substatus eq 'Pending' and stauts eq 'New'");
  await page.screenshot({ path: out });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  await demo.close();
}
