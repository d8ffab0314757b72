/**
 * `burn watch --demo`: a synthetic agent factory writing real files in a temp dir, over time, so
 * a newcomer sees burn work exactly as it would on their own agents. Deterministic from a seed
 * (the clock aside): several issues, runs on several providers and models, Symphony usage.jsonl
 * plus a Claude Code transcript, a spend spike and a stalled run. The files are read by the
 * normal sources through the normal engine; nothing here talks to the UI.
 */
import {appendFileSync, mkdirSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {claudeLines} from './claude-line.js';
import {runGuid, usageLine} from './usage-line.js';
import {mulberry32} from '../core/prng.js';

export interface DemoOptions {
	seed?: number;
	/** Clock (epoch ms); defaults to Date.now. */
	now?: () => number;
	/** How often the factory checks for due turns, ms. */
	tickMs?: number;
	/** Write Claude Code transcripts too (when the Claude source is registered). */
	claude?: boolean;
}

interface Agent {
	issue: string;
	provider: string;
	model: string;
	role: 'developer' | 'reviewer';
	kind: 'symphony' | 'claude';
	/** Seconds between turns, min and max. */
	every: [number, number];
	turns: number;
	/** Multiplies token sizes. */
	size: number;
}

interface Run extends Agent {
	id: string;
	n: number;
	next: number;
	context: number;
	/** Spike window (epoch ms) with 6× tokens every 1.5 s. */
	spike: [number, number] | null;
	stalled: boolean;
}

const MIN = 60_000;
const COMMANDS = ['npm test', 'git diff --stat', 'rg "TODO" src', 'npm run lint', 'cat package.json', 'ls test'];

const prng = mulberry32;

const ROSTER: Agent[] = [
	{issue: 'MT-101', provider: 'anthropic', model: 'claude-sonnet-4-6', role: 'developer', kind: 'symphony', every: [4, 9], turns: 60, size: 1},
	{issue: 'MT-102', provider: 'openai', model: 'gpt-5.3-codex', role: 'developer', kind: 'symphony', every: [5, 10], turns: 14, size: 1},
	{issue: 'MT-103', provider: 'google', model: 'gemini-2.5-pro', role: 'developer', kind: 'symphony', every: [6, 12], turns: 12, size: 0.8},
	{issue: 'MT-104', provider: 'anthropic', model: 'claude-sonnet-4-6', role: 'developer', kind: 'claude', every: [3, 7], turns: 40, size: 0.7},
	{issue: 'MT-106', provider: 'openai', model: 'gpt-5.3-codex', role: 'reviewer', kind: 'symphony', every: [5, 9], turns: 8, size: 0.6},
	{issue: 'MT-107', provider: 'anthropic', model: 'claude-opus-4-6', role: 'developer', kind: 'symphony', every: [6, 11], turns: 10, size: 0.6},
	{issue: 'MT-108', provider: 'google', model: 'gemini-2.5-flash', role: 'developer', kind: 'symphony', every: [3, 6], turns: 16, size: 1.4},
];

export class DemoFactory {
	readonly dir: string;
	readonly usageDir: string;
	readonly claudeDir: string;
	private readonly rand: () => number;
	private readonly now: () => number;
	private readonly tickMs: number;
	private readonly claude: boolean;
	private readonly seed: number;
	private runs: Run[] = [];
	private timer: NodeJS.Timeout | null = null;
	private spawned = 0;
	private roster = 0;
	private removed = false;

	constructor(options: DemoOptions = {}) {
		this.seed = options.seed ?? 42;
		this.rand = prng(this.seed);
		this.now = options.now ?? Date.now;
		this.tickMs = options.tickMs ?? 500;
		this.claude = options.claude ?? true;
		this.dir = mkdtempSync(join(tmpdir(), 'burn-demo-'));
		this.usageDir = join(this.dir, 'telemetry');
		this.claudeDir = join(this.dir, 'claude', 'projects');
		mkdirSync(this.usageDir, {recursive: true});
		if (this.claude) mkdirSync(this.claudeDir, {recursive: true});
	}

	/** Writes the last half hour at once (so there is a history to compare with), then runs live. */
	start(): void {
		const t0 = this.now();
		this.history(t0);
		for (let i = 0; i < 4; i++) this.spawn(t0 + i * 1500);
		// The spike: MT-101's long-running developer suddenly burns 6× for a minute, from 3 s in.
		const main = this.runs.find((r) => r.issue === 'MT-101');
		if (main) main.spike = [t0 + 3_000, t0 + 63_000];
		this.timer = setInterval(() => this.tick(), this.tickMs);
		this.timer.unref?.();
	}

	/** Stops writing. Files stay until `remove()`. */
	stop(): void {
		if (this.timer) clearInterval(this.timer);
		this.timer = null;
	}

	/** Stops and deletes the temp dir. Safe to call more than once. */
	remove(): void {
		this.stop();
		if (this.removed) return;
		this.removed = true;
		rmSync(this.dir, {recursive: true, force: true});
	}

	/** One step of the live clock: every due turn is written. Public for tests. */
	tick(at = this.now()): void {
		for (const run of this.runs) {
			while (!run.stalled && run.n < run.turns && run.next <= at) this.write(run, run.next);
		}
		const live = this.runs.filter((r) => !r.stalled && r.n < r.turns);
		if (live.length < 4) this.spawn(at + 2000);
	}

	private history(t0: number): void {
		// A stalled run: a dozen steady turns, the last one waiting on a tool that never returns,
		// then silence for 6 minutes (a Claude Code session, whose tool calls show it is blocked).
		const stalled = this.makeRun({issue: 'MT-105', provider: 'anthropic', model: 'claude-opus-4-6', role: 'developer', kind: 'claude', every: [25, 35], turns: 1000, size: 0.8}, t0 - 13 * MIN);
		while (stalled.next < t0 - 6 * MIN) this.write(stalled, stalled.next);
		stalled.stalled = true;
		// Two finished runs and the start of the long one, spread over the last 30 minutes.
		const done = this.makeRun({...ROSTER[1]!, issue: 'MT-099', every: [40, 70], turns: 18}, t0 - 30 * MIN);
		while (done.n < done.turns && done.next < t0) this.write(done, done.next);
		const review = this.makeRun({...ROSTER[4]!, issue: 'MT-099', every: [30, 50], turns: 6}, t0 - 12 * MIN);
		while (review.n < review.turns && review.next < t0) this.write(review, review.next);
		// The long run's history is steady (a full context, a turn every ~30 s): a ragged or growing
		// history made the spike rule fire on the past, and its cooldown then hid the live spike.
		const main = this.makeRun({...ROSTER[0]!, every: [28, 32], turns: 52 + ROSTER[0]!.turns}, t0 - 26 * MIN);
		main.context = 175_000;
		while (main.next < t0) this.write(main, main.next);
		main.every = ROSTER[0]!.every;
		main.next = Math.min(main.next, t0 + 2_000);
		this.roster = 1;
	}

	private spawn(at: number): void {
		const agent = ROSTER[this.roster % ROSTER.length]!;
		this.roster++;
		this.makeRun(agent, at);
	}

	private makeRun(agent: Agent, at: number): Run {
		this.spawned++;
		const claude = agent.kind === 'claude' && this.claude;
		const run: Run = {
			...agent,
			kind: claude ? 'claude' : 'symphony',
			id: runGuid(this.seed, this.spawned),
			n: 0,
			next: at,
			context: 8_000 + Math.round(this.rand() * 8_000),
			spike: null,
			stalled: false,
		};
		this.runs.push(run);
		return run;
	}

	private write(run: Run, at: number): void {
		run.n++;
		const spiking = run.spike !== null && at >= run.spike[0] && at < run.spike[1];
		const boost = (spiking ? 6 : 1) * run.size;
		const input = Math.round((600 + this.rand() * 3_000) * boost);
		const output = Math.round((250 + this.rand() * 1_800) * boost);
		const cacheWrite = Math.round(this.rand() * 2_500 * boost);
		run.context = Math.min(180_000, run.context + input + output);
		const cacheRead = Math.round(run.context * (spiking ? 2 : 1) * run.size);
		const last = run.n >= run.turns;
		if (run.kind === 'claude') {
			const cwd = `/home/demo/symphony_workspaces/${run.issue}`;
			const dir = join(this.claudeDir, cwd.replace(/[\\/]/g, '-'));
			mkdirSync(dir, {recursive: true});
			// Every call asks for a tool; the third result is an error (real sessions have some).
			const result = run.n === 1 ? undefined : run.n === 3 ? 'error' : 'ok';
			const lines = claudeLines({sessionId: run.id, cwd, n: run.n, at, model: run.model, input, cacheRead, cacheWrite, output, tool: 'Bash', command: COMMANDS[run.n % COMMANDS.length]!, result});
			appendFileSync(join(dir, `${run.id}.jsonl`), lines.join('\n') + '\n');
		} else {
			const line = usageLine({
				runId: run.id,
				turn: run.n,
				issue: run.issue,
				provider: run.provider,
				model: run.model,
				botRole: run.role,
				startedAt: at - Math.round((3 + this.rand() * 20) * 1000),
				endedAt: at,
				input,
				cacheRead,
				cacheWrite,
				output,
				reasoning: run.provider === 'openai' ? Math.round(output * 0.4) : undefined,
				exitReason: last ? 'completed' : undefined,
				workspacePath: `/home/demo/symphony_workspaces/${run.issue}`,
			});
			appendFileSync(join(this.usageDir, 'usage.jsonl'), line + '\n');
		}
		const [lo, hi] = spiking ? [1.5, 1.5] : run.every;
		run.next = at + Math.round((lo + this.rand() * (hi - lo)) * 1000);
	}
}
