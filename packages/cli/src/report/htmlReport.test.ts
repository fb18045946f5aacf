import { describe, expect, it } from 'vitest';
import { HOSTILE_ACTOR, HOSTILE_SERVER, sampleReport, sampleSummary } from '../../test/reportFixtures.js';
import { chartEnd, escapeHtml, jsonForScript, renderHtmlReport } from './htmlReport.js';
import { formatVirtualTime } from '../format.js';
import type { Timeline } from './timeline.js';

const UNID_OF_CHAIN = '0123456789ABCDEF0123456789ABCDEF';
const CHART_DATA = /<script type="application\/json" id="replstorm-chart-data">([\s\S]*?)<\/script>/;

/** The markup outside `<script>` and `<style>` elements: the part an HTML parser reads as tags and text. */
function markupOf(html: string): string {
  return html.replace(/<script\b[^>]*>[\s\S]*?<\/script>/g, '').replace(/<style>[\s\S]*?<\/style>/g, '');
}

/** Every tag in the markup. Data never brings a raw `<`, so each `<` here opens a tag the renderer wrote. */
function tagsOf(html: string): string[] {
  return [...markupOf(html).matchAll(/<[^>]*>/g)].map((m) => m[0]);
}

function chartDataOf(html: string): { timeline: Timeline } {
  const json = CHART_DATA.exec(html)?.[1];
  if (json === undefined) throw new Error('no chart data in the report');
  return JSON.parse(json) as { timeline: Timeline };
}

describe('escapeHtml and jsonForScript', () => {
  it('escapes the five HTML specials and the two JavaScript line separators', () => {
    expect(escapeHtml(`a&b<c>d"e'f\u2028g\u2029`)).toBe('a&amp;b&lt;c&gt;d&quot;e&#39;f&#x2028;g&#x2029;');
  });

  it('shows control characters and bidirectional overrides as \\uXXXX, as the terminal does (a browser QA pass: `Al\\0pha` read as "Alpha", an unclosed U+202E turned the rest of a label backwards)', () => {
    expect(escapeHtml('Al\u0000pha')).toBe('Al\\u0000pha');
    expect(escapeHtml('esc\u001b[31m')).toBe('esc\\u001b[31m');
    for (const c of ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069']) {
      expect(escapeHtml(`user/x${c}abc on Alpha`)).toBe(`user/x\\u${c.charCodeAt(0).toString(16)}abc on Alpha`);
    }
    // And the invisible ones (a hardening QA pass): zero-width space, direction marks, word joiner, byte-order mark.
    for (const c of ['\u200b', '\u200e', '\u200f', '\u2060', '\ufeff']) expect(escapeHtml(`a${c}b`)).toBe(`a\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}b`);
    // Joiners that scripts and emoji use are text: left as they are.
    expect(escapeHtml('\u{1F468}\u200d\u{1F469}')).toBe('\u{1F468}\u200d\u{1F469}');
    // Right-to-left text itself, line ends and tabs are left as they are.
    expect(escapeHtml('שרת\tخادم\nAlpha')).toBe('שרת\tخادم\nAlpha');
  });

  it('puts a line-break opportunity after every 40 characters of a longer run without white space (a 400-character name pushed every number of the blame tables off the screen), never inside an entity or a surrogate pair', () => {
    expect(escapeHtml('a'.repeat(100))).toBe(`${'a'.repeat(40)}<wbr>${'a'.repeat(40)}<wbr>${'a'.repeat(20)}`);
    expect(escapeHtml('<'.repeat(41))).toBe(`${'&lt;'.repeat(40)}<wbr>&lt;`);
    expect(escapeHtml('\u{1F600}'.repeat(41))).toBe(`${'\u{1F600}'.repeat(40)}<wbr>\u{1F600}`);
    // Words, UNIDs (32) and a run of exactly 40 are left whole; white space starts a new run.
    expect(escapeHtml(`${'b'.repeat(40)} ${'0'.repeat(32)} ${'c'.repeat(39)}`)).toBe(`${'b'.repeat(40)} ${'0'.repeat(32)} ${'c'.repeat(39)}`);
    expect(escapeHtml('d'.repeat(45), false)).toBe('d'.repeat(45));
  });

  it('leaves no <, >, &, U+2028 or U+2029 in script JSON, and JSON.parse gives the value back', () => {
    const value = { s: `</script><!--<script>&\u2028\u2029`, [HOSTILE_SERVER]: [1, '\u2028'] };
    const json = jsonForScript(value);
    expect(json).not.toMatch(/[<>&\u2028\u2029]/);
    expect(json).toContain('\\u003c/script\\u003e');
    expect(JSON.parse(json)).toEqual(value);
  });

  it('formats virtual time as h:mm:ss, with milliseconds only when there are some', () => {
    expect(formatVirtualTime(0)).toBe('0:00:00');
    expect(formatVirtualTime(7_384_005)).toBe('2:03:04.005');
    expect(formatVirtualTime(7 * 86_400_000)).toBe('7d 0:00:00'); // as the CLI writes it (one format for both)
    expect(formatVirtualTime(-90_000)).toBe('-0:01:30');
  });

  it("the chart script writes times as the CLI does (its own copy of the formatter, run here as the browser would)", () => {
    const html = renderHtmlReport(sampleReport({}));
    const pad = /function pad\(n, w\) \{[^\n]*\}/.exec(html)?.[0];
    const fmt = /function fmt\(ms, withMs\) \{[\s\S]*?\n {2}\}/.exec(html)?.[0];
    expect(pad, 'the chart script has a pad function').toBeDefined();
    expect(fmt, 'the chart script has a fmt function').toBeDefined();
    const chartFmt = new Function(`${pad!}\n${fmt!}\nreturn fmt;`)() as (ms: number, withMs: boolean) => string;
    for (const ms of [0, 59_000, 3_600_000, 86_399_000, 86_400_000, 7 * 86_400_000 + 3_723_000, 25 * 3_600_000, -90_000]) {
      expect(chartFmt(ms, false)).toBe(formatVirtualTime(ms));
    }
    expect(chartFmt(86_400_005, true)).toBe(formatVirtualTime(86_400_005));
  });
});

describe('renderHtmlReport', () => {
  const hostileMeta = { note: 'line\u2028separator\u2029paragraph', [HOSTILE_SERVER]: `"'&`, nested: { evil: '</script>' } };
  const html = renderHtmlReport(sampleReport({ meta: hostileMeta }));

  it('writes the hostile server name and actor as text, never as markup', () => {
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain(HOSTILE_SERVER);
    expect(html).not.toContain(HOSTILE_ACTOR);
    expect(html).not.toContain('alert(1)</script>');
  });

  it('has exactly its own three scripts, and no tag carries an event handler', () => {
    expect(html.match(/<script\b/g)).toHaveLength(3);
    expect(html.match(/<\/script/gi)).toHaveLength(3);
    const tags = tagsOf(html);
    const names = new Set(tags.map((t) => /^<\/?([a-zA-Z][a-zA-Z0-9]*)/.exec(t)?.[1]?.toLowerCase() ?? t));
    const allowed = ['!doctype', 'html', 'head', 'meta', 'link', 'title', 'body', 'main', 'header', 'section', 'h1', 'h2', 'h3', 'p', 'wbr',
      'span', 'code', 'table', 'caption', 'thead', 'tbody', 'tr', 'th', 'td', 'div', 'noscript', 'ul', 'li',
      // The contents: links within the page only (href="#h-...": checked below).
      'nav', 'a',
      // The timeline's zoom buttons (type="button": no form to submit; the page script gives them their action).
      'button'];
    for (const name of names) expect(allowed).toContain(name.startsWith('<!') ? '!doctype' : name);
    for (const tag of tags) expect(tag).not.toMatch(/\son[a-z]+\s*=/i);
  });

  it('never holds a raw U+2028 or U+2029, in text or in script', () => {
    expect(html).not.toMatch(/[\u2028\u2029]/);
    expect(html).toContain('line&#x2028;separator&#x2029;paragraph');
  });

  it('embeds the chart data as JSON that parses back to the timeline, hostile names included', () => {
    const json = CHART_DATA.exec(html)![1]!;
    expect(json).not.toMatch(/[<>\u2028\u2029]/);
    const { timeline } = chartDataOf(html);
    expect(timeline).toEqual(sampleReport({ meta: hostileMeta }).timeline);
    expect(timeline.servers).toContain(HOSTILE_SERVER);
  });

  it('makes no network reference: no URL outside the uPlot license comment, src/href only data:, a CSP that forbids fetching', () => {
    const withoutLicense = html.replace(/\/\*! https:\/\/github\.com\/leeoniya\/uPlot \(v[\d.]+\) \*\//, '');
    expect(withoutLicense).not.toMatch(/https?:\/\//i);
    const attrs = [...tagsOf(html).join('\n').matchAll(/\b(?:src|href|action|poster|srcset)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/gi)].map((m) => m[1]!);
    expect(attrs.length).toBeGreaterThan(0);
    // (Or a section of the page itself: the contents' links.)
    for (const value of attrs) expect(value.replace(/^["']|["']$/g, '')).toMatch(/^(data:|#h-[a-z]+$)/);
    expect(html).not.toMatch(/@import|url\(\s*["']?(?!data:)/i);
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1];
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'unsafe-inline'");
    expect(csp).toContain("style-src 'unsafe-inline'");
    expect(csp).toContain('img-src data:');
    // The CSP must come before anything that could fetch.
    expect(html.indexOf('Content-Security-Policy')).toBeLessThan(html.indexOf('<link'));
  });

  it('inlines uPlot and its CSS', () => {
    expect(html).toContain('var uPlot=function(){');
    expect(html).toContain('.uplot');
  });

  it('shows the summary with numbers right-aligned, the digest in monospace and the what-if difference', () => {
    expect(html).toContain('<th scope="row">Replicated changes</th><td class="num">2,468</td>');
    expect(html).toContain('<code class="digest">sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08</code>');
    expect(html).toContain('<th scope="row" class="sub">by scanner</th><td class="num">230</td><td class="num">6</td><td class="num">\u2212224</td>');
    expect(html).toContain('<th scope="row">Converged</th><td class="val bad">no</td><td class="val">yes</td><td class="val">differs</td>');
    expect(html).toContain('2:03:04.005');
  });

  it('event-log.md Summary: flags a run that missed infections or was not quiescent, and lists actor kinds by name', () => {
    const bad = markupOf(renderHtmlReport({ ...sampleReport({ withWhatIf: false }), summary: sampleSummary({ quiescent: false, scans: { performed: 4, skipped: 1, infected: 0, missed: 2 } }) }));
    // (In words too, not by colour alone: an accessibility QA pass.)
    expect(bad).toContain('<th scope="row">Infections missed</th><td class="num bad">2 <span class="flag">(should be 0)</span></td>');
    expect(bad).toContain('<p class="bad">Infections missed: scans that let a document with an infected attachment through without cleaning it.</p>');
    // sampleSummary has 1 OID collision: said what it is (R3).
    expect(bad).toContain('<p class="bad">OID collisions: copies of a document with the same seq and seqTime but different contents, which replication takes for the same version and leaves as they are (R3)');
    expect(bad).toContain('<th scope="row">Quiescent</th><td class="val bad">no</td>');
    const sound = markupOf(renderHtmlReport(sampleReport({ withWhatIf: false })));
    expect(sound).toContain('<th scope="row">Infections missed</th><td class="num">0</td>');
    expect(sound).not.toContain('Infections missed: scans that');
    expect(sound).toContain('<th scope="row">Quiescent</th><td class="val">yes</td>');
    // byActorKind is { user, scanner, router }: the rows are in byte order, the same on every machine.
    expect([...sound.matchAll(/<th scope="row" class="sub">by (\w+)<\/th>/g)].map((m) => m[1])).toEqual(['router', 'scanner', 'user']);
  });

  it('the header\'s meta: a replayed log\'s "as recorded"; a scenario\'s run (its blame lines counted among its events) says what a recording of it holds, no log existing (an administrator\'s review)', () => {
    const data = sampleReport({ servers: ['hub/Acme'], withWhatIf: false });
    expect(renderHtmlReport(data)).toContain("<caption id=\"meta-caption\">The log header's meta, as recorded.</caption>");
    const ofRun = renderHtmlReport({ ...data, causeLines: "its number among the scenario's input events" });
    expect(ofRun).toContain("<caption id=\"meta-caption\">The run's header meta: what a recording of it (--record) holds.</caption>");
    expect(ofRun).not.toContain('as recorded.</caption>');
  });

  it('one server: its own chart only (no "All servers" total); a run that ends with its last bucket says no more', () => {
    const one = sampleReport({ servers: ['hub/Acme'], withWhatIf: false });
    const html1 = renderHtmlReport({ ...one, summary: sampleSummary({ endAt: one.timeline.end }) });
    expect(html1).not.toContain('All servers');
    expect(html1.match(/data-chart="/g)).toHaveLength(1);
    expect(html1).not.toContain('the run ended at');
    expect(renderHtmlReport({ ...one, summary: sampleSummary({ endAt: one.timeline.end + 1 }) })).toContain('the run ended at');
    // The charts run on to the run's end (the zoom line says "to" it): the heading says so, where it named two ranges
    // without a word on which the charts show (an operator's QA pass).
    expect(renderHtmlReport({ ...one, summary: sampleSummary({ endAt: one.timeline.end + 1 }) })).toContain(`the run ended at ${formatVirtualTime(one.timeline.end + 1)}, and the charts show the quiet time up to it.`);
    // A run that stopped inside its last bucket (a cut, an end event) says where: the timeline's end, a bucket's, read as
    // the run's (a browser QA pass: "to 0:04:00.500" for a run that stopped at 0:04:00.048).
    expect(markupOf(renderHtmlReport({ ...one, summary: sampleSummary({ endAt: one.timeline.end - 1 }) }))).toContain(`; the run stopped at ${formatVirtualTime(one.timeline.end - 1)}, inside the last bucket.`);
    expect(html1).not.toContain('inside the last bucket.');
    // Further back than the last bucket (the file's events past the stop, which blame and the report follow), not "inside".
    const past = markupOf(renderHtmlReport({ ...one, summary: sampleSummary({ endAt: one.timeline.end - 2 * one.timeline.bucketMs }) }));
    expect(past).toContain(`; the run stopped at ${formatVirtualTime(one.timeline.end - 2 * one.timeline.bucketMs)}, and the charts go on past it (the events derived past the stop, which blame and the report follow in the file).`);
  });

  it('a replay with no derived line to check says nothing about a recording; a mismatch at column 1 names the line only', () => {
    expect(markupOf(renderHtmlReport({ ...sampleReport({}), recording: { checked: 0 } }))).not.toContain('Recording:');
    const atStart = markupOf(renderHtmlReport({ ...sampleReport({}), recording: { checked: 0, mismatch: { line: 7, column: 1, message: 'm' } } }));
    expect(atStart).toContain('disagrees with the engine at line 7: m.');
  });

  it('answers "who caused each revision": blame by cause (the first 20, with how many more) and the longest chains', () => {
    const text = markupOf(html).replace(/<[^>]*>/g, '');
    expect(html).toContain('<h2 id="h-causes">Blame by cause</h2>');
    expect(text).toContain('3 more causes');
    expect(text).toContain('scanner/smsdom&nbsp;226');
    expect(text).toContain(`${escapeHtml(HOSTILE_ACTOR)}&nbsp;4`);
    // (The chain ends on another document, with a hostile name: escaped.)
    expect(text).toContain('1,234 more chains of 2 revisions or more (--blame --json counts them: moreChains).');
    expect(text).toContain(`${UNID_OF_CHAIN}, ending on conflict document &lt;b&gt;2: 12,345 revisions from line 3, 0:50:00 .. 1:05:00, servers hub/Acme &gt; ${escapeHtml(HOSTILE_SERVER)} &gt; hub/Acme &gt; ...`);
    // 20 rows: the table's body.
    const body = /<table class="data causes"[^>]*>[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(html)![1]!;
    expect(body.match(/<tr>/g)).toHaveLength(20);
    expect(text).toContain('a column can add up to more than the run');
    // Who the actor is, said as the text output says it.
    expect(text).toContain("The actor is the version's last writer (a scanner's on-write stamp over a user's save counts for the scanner)");
  });

  it('says whether a replayed recording agreed with the engine, first thing under Summary, escaped', () => {
    const agreed = markupOf(renderHtmlReport({ ...sampleReport({}), recording: { checked: 1187 } }));
    expect(agreed).toContain('Recording: 1,187 derived events in the file checked; the engine agrees.');
    const disagreed = renderHtmlReport({ ...sampleReport({}), recording: { checked: 9, mismatch: { line: 10, message: `the engine derives <b>x</b>` } } });
    expect(markupOf(disagreed)).toContain('<p class="bad">The recording disagrees with the engine at line 10: the engine derives &lt;b&gt;x&lt;/b&gt;. The numbers below are the engine\'s, not the file\'s.</p>');
    // The differing field's column, where the file's line has the same event with another value.
    const located = renderHtmlReport({ ...sampleReport({}), recording: { checked: 9, mismatch: { line: 10, column: 1234, message: 'm' } } });
    expect(markupOf(located)).toContain('disagrees with the engine at line 10, column 1,234: m.');
    expect(markupOf(renderHtmlReport(sampleReport({})))).not.toContain('Recording:');
    // Blame and the timeline that followed a file past the run's stop (replay's outputsPastStop) say so, escaped.
    const past = renderHtmlReport({ ...sampleReport({}), recording: { checked: 9, mismatch: { line: 10, message: 'm' }, outputsPastStop: 'blame counts <more>' } });
    expect(markupOf(past)).toContain("not the file's. But blame counts &lt;more&gt;.</p>");
  });

  it('under a what-if, the summary, the timeline, blame by actor and blame by cause say they are this run\'s only (a browser QA pass: the summary, right above the comparison, and blame by cause said nothing)', () => {
    expect(html.match(/This run only \(the log's own designs\)/g)).toHaveLength(4);
    // The summary's, under its heading, points below; the others above.
    expect(html).toContain("<h2 id=\"h-summary\">Summary</h2>\n<p class=\"muted\">This run only (the log's own designs): the what-if run appears in the table below.</p>");
    expect(/<table class="data causes"[^>]*>[\s\S]*?<\/table>(?:<\/div>)?[\s\S]*?This run only \(the log's own designs\): the what-if run appears in the table above\./.test(html)).toBe(true);
    expect(renderHtmlReport(sampleReport({ withWhatIf: false }))).not.toContain('This run only');
  });

  it('the page\'s title is text: a long path\'s break opportunities (<wbr>) are for the heading, not the title (a browser QA pass: the tab read "...j<wbr>sonl")', () => {
    const long = renderHtmlReport({ ...sampleReport({}), title: `replay of ${'x'.repeat(60)}.jsonl` });
    expect(/<title>([^<]*)<\/title>/.exec(long)?.[1]).toBe(`replay of ${'x'.repeat(60)}.jsonl`);
    expect(/<h1>(.*)<\/h1>/.exec(long)?.[1]).toContain('<wbr>');
  });

  it('the what-if table heads the log\'s own column as the terminal does: "As recorded" for a recording the engine agrees with, else "This run" (the report said "This run" where the terminal said "as recorded": an operator\'s QA pass)', () => {
    const data = sampleReport({ withWhatIf: true });
    const head = (h: string) => /<table class="data whatif" aria-labelledby="h-whatif"><thead><tr><th scope="col"><span class="sr-only">Measure<\/span><\/th><th class="num">([^<]*)<\/th>/.exec(h)?.[1];
    expect(head(renderHtmlReport({ ...data, whatIf: { ...data.whatIf!, baseLabel: 'as recorded' } }))).toBe('As recorded');
    expect(head(renderHtmlReport({ ...data, whatIf: { ...data.whatIf!, baseLabel: 'this run' } }))).toBe('This run');
  });

  it('every table scrolls sideways inside its own box on a narrow screen (no word cut into pieces)', () => {
    const tables = markupOf(html).match(/<table\b/g)!.length;
    // (Each box a region named by its section's heading, as its table is: an accessibility QA pass.)
    expect(markupOf(html).match(/<div class="scroll" role="region" aria-labelledby="([\w-]+)"><table class="[^"]*" aria-labelledby="\1"/g)).toHaveLength(tables);
  });

  it('gives the same bytes for the same data', () => {
    expect(renderHtmlReport(sampleReport({ meta: hostileMeta }))).toBe(html);
  });

  it('renders an empty run without charts and without a what-if section', () => {
    const empty = renderHtmlReport({
      ...sampleReport({ withWhatIf: false }),
      meta: {},
      timeline: { bucketMs: 1, start: 0, end: 0, servers: [], series: [] },
      blame: [],
    });
    expect(empty).toContain('No derived events: nothing to chart.');
    expect(empty).toContain('No actor wrote anything.');
    expect(empty).not.toContain('What if');
    expect(empty).not.toContain('data-chart=');
  });
});

describe('the timeline\'s quiet tail', () => {
  it('event-log.md (stopped: cap; R12, a push queued with no timer to send it): a run that stopped at its cap long after its last event draws its events across the chart, not in its first pixel, and says when it ended (an operator\'s QA pass: 5 s of events on a 7-day axis)', () => {
    const data = sampleReport();
    const tl = data.timeline;
    const span = tl.end - tl.start;
    // A run ending within a span of the last bucket shows all of its quiet time; one ending later, a span of it.
    expect(chartEnd(tl, tl.end)).toBe(tl.end);
    expect(chartEnd(tl, tl.end + span / 2)).toBe(tl.end + span / 2);
    const capped = tl.end + 7 * 86_400_000;
    expect(chartEnd(tl, capped)).toBe(tl.end + span);
    const html = renderHtmlReport({ ...data, summary: { ...data.summary, endAt: capped } });
    expect(html).toContain(`the run ended at ${formatVirtualTime(capped)}, and the charts show the quiet time before it up to ${formatVirtualTime(tl.end + span)}`);
    const chart = JSON.parse(/<script type="application\/json" id="replstorm-chart-data">([^<]*)<\/script>/.exec(html)![1]!) as { endAt: number; quietEnd: number };
    expect(chart).toMatchObject({ endAt: capped, quietEnd: tl.end + span });
    // A run that ended at its last bucket's end says nothing of it.
    expect(renderHtmlReport({ ...data, summary: { ...data.summary, endAt: tl.end } })).not.toContain('the run ended at');
  });
});
