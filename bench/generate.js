#!/usr/bin/env node
/**
 * Synthetic corpus for the benchmark, deterministic from a seed:
 *   <out>/home/.claude/projects/<enc-cwd>/<session>.jsonl (+ <session>/subagents/agent-*.jsonl)
 *   <out>/home/.codex/sessions/2026/11/DD/rollout-*.jsonl
 *   <out>/home/work/.symphony/telemetry/usage*.jsonl  (+ WORKFLOW.md, so discovery stops there)
 * with what real transcripts have: Claude responses streamed as several lines sharing
 * message.id/requestId (early ones with a partial output count), bulky tool results,
 * Codex `token_count` re-emits and 20 KB session_meta lines, multi-byte text.
 *
 *   node bench/generate.js [--size-mb 1024] [--seed 1] [--out bench/corpus]
 */
import {closeSync, existsSync, mkdirSync, openSync, rmSync, writeFileSync, writeSync} from 'node:fs';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
// The same generator as the demo and the randomized tests (needs `npm run build` first).
import {mulberry32} from '../dist/core/prng.js';

const here = dirname(fileURLToPath(import.meta.url));

export function parseArgs(argv) {
	const args = {sizeMb: 1024, seed: 1, out: join(here, 'corpus'), version: 2};
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (a === '--size-mb') args.sizeMb = Number(argv[++i]);
		else if (a === '--seed') args.seed = Number(argv[++i]);
		else if (a === '--out') args.out = resolve(argv[++i]);
	}
	return args;
}


/** Buffered writer: one syscall per ~1 MB. */
class Out {
	constructor(path) {
		mkdirSync(dirname(path), {recursive: true});
		this.fd = openSync(path, 'w');
		this.parts = [];
		this.size = 0;
		this.bytes = 0;
	}
	line(s) {
		const b = Buffer.from(s + '\n');
		this.parts.push(b);
		this.size += b.length;
		this.bytes += b.length;
		if (this.size > 1 << 20) this.flush();
	}
	flush() {
		if (this.parts.length) writeSync(this.fd, Buffer.concat(this.parts));
		this.parts = [];
		this.size = 0;
	}
	close() {
		this.flush();
		closeSync(this.fd);
	}
}

export function generate({sizeMb, seed, out}) {
	const rand = mulberry32(seed);
	const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
	const pick = (xs) => xs[Math.floor(rand() * xs.length)];
	const hex = (n) => Array.from({length: n}, () => '0123456789abcdef'[int(0, 15)]).join('');
	const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-8${hex(3)}-${hex(12)}`;

	// A pool of JSON-safe filler text (code-ish words, escaped newlines, some multi-byte) to slice from.
	const words = ['const', 'return', 'function', 'import', 'export', 'await', 'test', 'passing', 'failed', 'src/index.ts', 'npm', 'error:', '=>', '{', '}', 'ünïcødé', '€', '日本語', '😀', '\\n', '\\t', '\\"quoted\\"'];
	let pool = '';
	while (pool.length < 2_000_000) pool += pick(words) + (rand() < 0.1 ? '\\n' : ' ');
	const text = (n) => {
		const at = int(0, pool.length - n - 1);
		let s = pool.slice(at, at + n);
		// Never end inside an escape sequence or a surrogate pair.
		while (s.endsWith('\\') || /[\uD800-\uDBFF]$/.test(s)) s = s.slice(0, -1);
		if (/^[\uDC00-\uDFFF]/.test(s)) s = s.slice(1);
		return s.replace(/^[ntu"\\]*/, '');
	};

	if (existsSync(out)) rmSync(out, {recursive: true, force: true});
	const home = join(out, 'home');
	const work = join(home, 'work');
	mkdirSync(join(work, '.symphony', 'telemetry'), {recursive: true});
	writeFileSync(join(work, 'WORKFLOW.md'), '# bench\n');

	const target = sizeMb * 1024 * 1024;
	const budget = {claude: target * 0.6, codex: target * 0.36, usage: target * 0.04};
	const models = ['claude-sonnet-4-6', 'claude-opus-4-6', 'claude-haiku-4-5'];
	let t = Date.UTC(2026, 10, 1, 8, 0, 0);
	const ts = () => new Date((t += int(200, 20_000))).toISOString();
	const stats = {claudeFiles: 0, codexFiles: 0, usageFiles: 0, bytes: 0};

	// Claude Code sessions.
	let written = 0;
	let msg = 0;
	while (written < budget.claude) {
		const session = uuid();
		const cwd = `/srv/symphony_workspaces/MT-${int(100, 400)}`;
		const dir = join(home, '.claude', 'projects', cwd.replace(/[^A-Za-z0-9]/g, '-'));
		const files = [join(dir, `${session}.jsonl`)];
		if (rand() < 0.4) files.push(join(dir, session, 'subagents', `agent-${hex(16)}.jsonl`));
		for (const file of files) {
			const o = new Out(file);
			const sidechain = file.includes('subagents');
			const turns = int(20, 120);
			for (let i = 0; i < turns; i++) {
				const env = `"isSidechain":${sidechain},"sessionId":"${session}","cwd":"${cwd}","version":"2.1.240","userType":"external"`;
				o.line(`{"type":"user","uuid":"${uuid()}",${env},"timestamp":"${ts()}","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_${hex(12)}","content":"${text(rand() < 0.15 ? int(20_000, 120_000) : int(300, 6000))}"}]}}`);
				const id = `msg_${seed}_${++msg}`;
				const req = `req_${hex(20)}`;
				const model = pick(models);
				const input = int(1, 50);
				const cw = int(0, 8000);
				const cr = int(5000, 180_000);
				const out = int(50, 4000);
				const blocks = int(1, 4);
				for (let b = 0; b < blocks; b++) {
					const last = b === blocks - 1;
					const content = b === 0 && blocks > 1 ? `{"type":"thinking","thinking":"${text(int(100, 2000))}","signature":"${hex(64)}"}` : `{"type":"text","text":"${text(int(50, 1500))}"}`;
					o.line(`{"type":"assistant","uuid":"${uuid()}",${env},"timestamp":"${ts()}","requestId":"${req}","message":{"id":"${id}","type":"message","role":"assistant","model":"${model}","content":[${content}],"stop_reason":${last ? '"end_turn"' : 'null'},"usage":{"input_tokens":${input},"cache_creation_input_tokens":${cw},"cache_read_input_tokens":${cr},"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":${cw}},"output_tokens":${last ? out : int(1, 9)},"service_tier":"standard"}}}`);
				}
				if (rand() < 0.05) o.line(`{"type":"summary","summary":"${text(60)}","leafUuid":"${uuid()}"}`);
			}
			o.close();
			written += o.bytes;
			stats.claudeFiles++;
		}
	}
	stats.bytes += written;

	// Codex rollouts.
	written = 0;
	while (written < budget.codex) {
		const id = uuid();
		const day = String(int(1, 28)).padStart(2, '0');
		const o = new Out(join(home, '.codex', 'sessions', '2026', '11', day, `rollout-2026-11-${day}T10-00-00-${id}.jsonl`));
		const cwd = `/srv/symphony_workspaces/MT-${int(100, 400)}`;
		o.line(`{"timestamp":"${ts()}","type":"session_meta","payload":{"id":"${id}","timestamp":"${ts()}","cwd":"${cwd}","originator":"codex_cli_rs","cli_version":"0.151.0","source":"cli","model_provider":"openai","base_instructions":{"text":"${text(int(20_000, 27_000))}"}}}`);
		const total = {input: 0, cached: 0, output: 0, reasoning: 0};
		const turns = int(10, 80);
		for (let i = 0; i < turns; i++) {
			o.line(`{"timestamp":"${ts()}","type":"turn_context","payload":{"turn_id":"turn-${hex(8)}","cwd":"${cwd}","model":"gpt-5.3-codex","effort":"high","approval_policy":"on-request","sandbox_policy":{"type":"workspace-write"},"summary":"auto"}}`);
			const calls = int(1, 5);
			for (let c = 0; c < calls; c++) {
				o.line(`{"timestamp":"${ts()}","type":"response_item","payload":{"type":"function_call","name":"exec_command","arguments":"{\\"cmd\\":\\"npm test\\"}","call_id":"call_${hex(10)}"}}`);
				o.line(`{"timestamp":"${ts()}","type":"response_item","payload":{"type":"function_call_output","call_id":"call_${hex(10)}","output":"${text(rand() < 0.15 ? int(20_000, 100_000) : int(200, 5000))}"}}`);
				const last = {input: int(10_000, 200_000), cached: 0, output: int(50, 3000), reasoning: 0};
				last.cached = int(0, last.input);
				last.reasoning = int(0, last.output);
				for (const k of Object.keys(total)) total[k] += last[k];
				const usage = (u) => `{"input_tokens":${u.input},"cached_input_tokens":${u.cached},"output_tokens":${u.output},"reasoning_output_tokens":${u.reasoning},"total_tokens":${u.input + u.output}}`;
				const ev = `{"timestamp":"${ts()}","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":${usage(total)},"last_token_usage":${usage(last)},"model_context_window":258400},"rate_limits":{"primary":{"used_percent":${int(0, 100)}.0,"window_minutes":300,"resets_at":1791000000},"secondary":null}}}`;
				o.line(ev);
				// Re-emits with unchanged totals (a large share of real token_count events).
				while (rand() < 0.45) o.line(ev);
			}
		}
		o.close();
		written += o.bytes;
		stats.codexFiles++;
	}
	stats.bytes += written;

	// Symphony usage.jsonl.
	written = 0;
	let part = 0;
	while (written < budget.usage) {
		const o = new Out(join(work, '.symphony', 'telemetry', part === 0 ? 'usage.jsonl' : `usage-${part}.jsonl`));
		let run = uuid();
		let turn = 0;
		for (let i = 0; i < 20_000 && written + o.bytes < budget.usage; i++) {
			// A run is one attempt with many turns (real runs have tens).
			if (++turn > int(5, 40)) {
				run = uuid();
				turn = 1;
			}
			const input = int(1000, 200_000);
			const output = int(10, 5000);
			const at = ts();
			o.line(`{"schemaVersion":1,"recordedAt":"${at}","runID":"${run}","turn":${turn},"issueIdentifier":"MT-${int(100, 400)}","provider":"${pick(['claude', 'codex'])}","model":"${pick(['claude-sonnet-4-6', 'gpt-5.3-codex'])}","botRole":"developer","inputTokens":${input},"outputTokens":${output},"totalTokens":${input + output},"usageSource":"provider_reported","startedAt":"${at}","endedAt":"${at}","workspacePath":"/srv/symphony_workspaces/MT-1"}`);
		}
		o.close();
		written += o.bytes;
		stats.usageFiles++;
		part++;
	}
	stats.bytes += written;
	return {...stats, home, work};
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	const args = parseArgs(process.argv.slice(2));
	const t0 = Date.now();
	const s = generate(args);
	process.stdout.write(`corpus: ${(s.bytes / 1048576).toFixed(0)} MB in ${s.claudeFiles} Claude, ${s.codexFiles} Codex, ${s.usageFiles} usage.jsonl files (seed ${args.seed}) → ${args.out} in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}
