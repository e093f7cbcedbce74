// The web pages in a real Chromium (Debian's package, driven by playwright-core): each page loads
// and shows what the API holds, hover values appear, the steer page streams from the inference
// stand-in, sign-in shows private data to its owner only, no request leaves the mirror's origin,
// no serious or critical axe-core violation in light or dark, no horizontal scroll at 375 px.
// Runs once, on the embedded database: skipped when TEST_DATABASE_URL is set (pages are the same
// code on both databases; the HTTP tests in pages.test.ts run on both).
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { activation, model } from '../../src/db/schema/index.js';
import { buildTestApp, type TestContext } from '../helper.js';
import { seedSource } from '../fixtures/seed.js';
import { userWithKey } from '../fixtures/users.js';
import { startInferenceDouble, type InferenceDouble } from '../doubles/inference-server.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const SHOTS = path.join(import.meta.dirname, 'screenshots');
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const onPostgres = Boolean(process.env.TEST_DATABASE_URL);
// Without a Chromium the tests are skipped, and say so, unless REQUIRE_BROWSER=1 (CI), where a
// missing browser must fail rather than pass unseen.
const noBrowser = !existsSync(CHROMIUM) && process.env.REQUIRE_BROWSER !== '1';

describe.skipIf(onPostgres || noBrowser)(
  `web pages in Chromium (embedded database only; skipped on TEST_DATABASE_URL${noBrowser ? `; skipped: no browser at ${CHROMIUM}, install Debian's chromium or set CHROMIUM_PATH` : ''})`,
  () => {
    let ctx: TestContext;
    let double: InferenceDouble;
    let browser: Browser;
    let base: string;
    let alice: Awaited<ReturnType<typeof userWithKey>>;
    const foreign: string[] = [];

    async function open(url: string, scheme: 'light' | 'dark' = 'light', width = 1100): Promise<Page> {
      // bypassCSP only so that the test can inject axe-core; the pages' own CSP is tested over HTTP.
      const context = await browser.newContext({ viewport: { width, height: 800 }, colorScheme: scheme, bypassCSP: true });
      const page = await context.newPage();
      page.on('request', (r) => {
        if (!r.url().startsWith(base) && !r.url().startsWith('data:')) foreign.push(r.url());
      });
      const res = await page.goto(base + url);
      expect(res?.status(), url).toBeLessThan(400);
      return page;
    }

    async function seriousViolations(page: Page) {
      await page.addScriptTag({ path: AXE });
      const result = await page.evaluate(async () =>
        (
          globalThis as unknown as { axe: { run(): Promise<{ violations: Array<{ id: string; impact: string; nodes: unknown[] }> }> } }
        ).axe.run(),
      );
      return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.nodes.length})`);
    }

    beforeAll(async () => {
      mkdirSync(SHOTS, { recursive: true });
      double = await startInferenceDouble();
      ctx = await buildTestApp({ INFERENCE_HOSTS: `*=${double.url}`, INFERENCE_SECRET: double.secret, RATE_LIMITS: 'steer=1000' });
      alice = await userWithKey(ctx.database.db, 'alice');
      await seedSource(ctx.database.db, { features: 30, tokensPerActivation: 24 });
      await seedSource(ctx.database.db, { modelId: 'secret-model', features: 2, visibility: 'PRIVATE', creatorId: alice.user.id });
      await ctx.database.db.update(model).set({ dimension: 4 }).where(eq(model.id, 'gpt2-small'));
      base = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    }, 120_000);
    afterAll(async () => {
      await browser?.close();
      await ctx?.close();
      await double?.close();
    });

    it('every page: loads, no serious axe violation in light and dark, no horizontal scroll at 375 px', async () => {
      const features = encodeURIComponent(JSON.stringify([{ modelId: 'gpt2-small', layer: '6-res-jb', index: '1' }]));
      const pages = {
        home: '/',
        resources: '/available-resources',
        source: '/gpt2-small/6-res-jb',
        feature: '/gpt2-small/6-res-jb/1',
        search: '/search-explanations?q=animals',
        quicklist: `/quick-list/?name=mine&features=${features}`,
        steer: '/steer?feature=gpt2-small/6-res-jb/1',
        signin: '/sign-in',
      };
      const problems: string[] = [];
      for (const [name, url] of Object.entries(pages)) {
        for (const scheme of ['light', 'dark'] as const) {
          const page = await open(url, scheme);
          problems.push(...(await seriousViolations(page)).map((v) => `${url} ${scheme}: ${v}`));
          await page.screenshot({ path: path.join(SHOTS, `${name}-${scheme}.png`), fullPage: true });
          await page.context().close();
        }
        const narrow = await open(url, 'light', 375);
        const overflow = await narrow.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
        if (overflow > 0) problems.push(`${url}: ${overflow}px horizontal scroll at 375 px`);
        await narrow.screenshot({ path: path.join(SHOTS, `${name}-375.png`), fullPage: true });
        await narrow.context().close();
      }
      expect(problems).toEqual([]);
      expect(foreign).toEqual([]);
    }, 180_000);

    it('the feature page shows the API JSON, and the value of a token on hover', async () => {
      const json = (await ctx.app.inject('/api/feature/gpt2-small/6-res-jb/1')).json();
      const page = await open('/gpt2-small/6-res-jb/1');
      expect(await page.locator('h1').textContent()).toBe('gpt2-small · 6-res-jb · 1');
      expect(await page.locator('.lead').textContent()).toBe(json.explanations[0].description);
      expect(await page.locator('.act').count()).toBe(Math.min(10, json.activations.length));
      const top = [...json.activations].sort((a, b) => b.maxValue - a.maxValue)[0];
      const maxToken = page.locator('.act').first().locator('.t.max');
      expect(await maxToken.textContent()).toBe(top.tokens[top.maxValueTokenIndex]);
      await maxToken.hover();
      await expect.poll(() => page.locator('#tip').isVisible()).toBe(true);
      expect(Number(await page.locator('#tip .v').textContent())).toBeCloseTo(top.maxValue, 1);
      // Without a mouse: Tab reaches the max token and shows its value; the box writes every value.
      await page.mouse.move(0, 0);
      await page.locator('#show-values').focus();
      await page.keyboard.press('Tab');
      expect(await page.evaluate<string>('document.activeElement.className')).toBe('t max');
      await expect.poll(() => page.locator('#tip').isVisible()).toBe(true);
      expect(Number(await page.locator('#tip .v').textContent())).toBeCloseTo(top.maxValue, 1);
      await page.keyboard.press('Shift+Tab');
      await page.keyboard.press('Space');
      expect(await page.locator('#show-values').isChecked()).toBe(true);
      const after: string = await maxToken.evaluate(
        (el) =>
          (globalThis as unknown as { getComputedStyle(e: unknown, p: string): { content: string } }).getComputedStyle(el, '::after')
            .content,
      );
      expect(after).toContain(await maxToken.getAttribute('data-v'));
      await page.screenshot({ path: path.join(SHOTS, 'feature-values.png'), fullPage: true });
      expect(foreign).toEqual([]);
      await page.context().close();
    });

    it("GPT-2's byte markers show as neuronpedia.org shows them, the raw token in the hover", async () => {
      const raw = Array.from({ length: 24 }, (_, t) => (t % 3 === 2 ? 'Ċ' : `Ġw${t}`));
      await ctx.database.db
        .update(activation)
        .set({ tokens: raw })
        .where(and(eq(activation.modelId, 'gpt2-small'), eq(activation.layer, '6-res-jb'), eq(activation.index, '2')));
      const page = await open('/gpt2-small/6-res-jb/2');
      // The seeded logits are GPT-2 tokens: ĠThe shows as " The".
      expect(await page.locator('ol.logits').first().textContent()).toContain(' The');
      const acts = await page.locator('.acts').first().textContent();
      expect(acts).not.toMatch(/[ĠĊ]/);
      expect(acts).toContain(' w0 w1↵ w3');
      const maxToken = page.locator('.act').first().locator('.t.max');
      await maxToken.hover();
      await expect.poll(() => page.locator('#tip').isVisible()).toBe(true);
      const shown = await maxToken.textContent();
      const expected = raw.find((t) => t.replace('Ġ', ' ').replace('Ċ', '↵') === shown);
      expect(await page.locator('#tip .raw').textContent()).toBe(JSON.stringify(expected));
      await page.screenshot({ path: path.join(SHOTS, 'feature-gpt2-tokens.png'), fullPage: true });
      await page.context().close();
    });

    it('the steer page streams both outputs from the inference stand-in and links the saved result', async () => {
      const page = await open('/steer?feature=gpt2-small/6-res-jb/1');
      await page.fill('#prompt', 'The cat sat on');
      await page.click('#steer-form button[type=submit]');
      await expect.poll(() => page.locator('#steer-status').textContent(), { timeout: 15_000 }).toBe('Done.');
      const steered = await page.locator('#out-steered').textContent();
      expect(steered?.length).toBeGreaterThan(0);
      expect(await page.locator('#out-default').textContent()).not.toBe('');
      await page.screenshot({ path: path.join(SHOTS, 'steer-streamed.png'), fullPage: true });
      await page.click('#steer-share a');
      await page.waitForURL(/\/steer\/[a-z0-9]+$/);
      expect(await page.locator('#out-steered').textContent()).toBe(steered);
      expect(double.requests.some((r) => r.path === '/v1/steer/completion')).toBe(true);
      expect(foreign).toEqual([]);
      await page.context().close();
    });

    it('signing in shows private data to its owner, and signing out hides it again', async () => {
      const page = await open('/sign-in?next=/secret-model/6-res-jb/1');
      await page.fill('#key', alice.key);
      await page.click('form.card button[type=submit]');
      await page.waitForURL(`${base}/secret-model/6-res-jb/1`);
      expect(await page.locator('h1').textContent()).toBe('secret-model · 6-res-jb · 1');
      await page.goto(base + '/');
      expect(await page.locator('main').textContent()).toContain('secret-model');
      await page.screenshot({ path: path.join(SHOTS, 'signed-in-home.png'), fullPage: true });
      // The steer page steers her private feature with the session (POST /steer/run; /api/steer ignores cookies).
      const steersBefore = double.requests.filter((r) => r.path === '/v1/steer/completion').length;
      await page.goto(base + '/steer?feature=secret-model/6-res-jb/1');
      expect(await page.locator('#modelId').inputValue()).toBe('secret-model');
      await page.click('#steer-form button[type=submit]');
      await expect.poll(() => page.locator('#steer-status').textContent(), { timeout: 15_000 }).toBe('Done.');
      expect(await page.locator('#out-steered').textContent()).not.toBe('');
      expect(double.requests.filter((r) => r.path === '/v1/steer/completion').length).toBeGreaterThan(steersBefore);
      await page.click('.account button');
      await page.waitForURL(`${base}/`);
      expect(await page.locator('main').textContent()).not.toContain('secret-model');
      const other = await open('/', 'light');
      expect(await other.locator('main').textContent()).not.toContain('secret-model');
      expect(foreign).toEqual([]);
      await page.context().close();
      await other.context().close();
    });
  },
);
