/**
 * Real `burn serve` processes for end-to-end tests: spawned from the built CLI, their bound port
 * read from the line they print, every one killed by `killAll` (call it in afterAll).
 */
import {spawn, type ChildProcess} from 'node:child_process';
import {createServer} from 'node:net';
import {CLI} from './temp.js';

export interface Served {
	child: ChildProcess;
	port: number;
	stderr: () => string;
	/** Resolves with the exit code once the process ended. */
	exited: Promise<number | null>;
}

const children = new Set<ChildProcess>();

/** Starts `burn serve ARGS` and resolves once it listens (its stderr names the port). */
export function startServe(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Served> {
	const child = spawn(process.execPath, [CLI, 'serve', ...args], {env: {...process.env, BURN_DEBUG: '1', ...env}, stdio: ['ignore', 'ignore', 'pipe']});
	children.add(child);
	let err = '';
	const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => {
		children.delete(child);
		resolve(code);
	}));
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`burn serve did not start listening:\n${err}`)), 20_000);
		child.stderr!.setEncoding('utf8');
		child.stderr!.on('data', (chunk: string) => {
			err += chunk;
			const m = /metrics on http:\/\/[^\s]+:(\d+)\/metrics/.exec(err);
			if (m) {
				clearTimeout(timer);
				resolve({child, port: Number(m[1]), stderr: () => err, exited});
			}
		});
		void exited.then((code) => {
			clearTimeout(timer);
			reject(new Error(`burn serve exited (${code}) before listening:\n${err}`));
		});
	});
}

/** SIGKILLs every process started here that is still running. */
export function killAll(): void {
	for (const c of children) c.kill('SIGKILL');
	children.clear();
}

/** A port the OS says is free now (for servers that cannot report a port they chose). */
export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const s = createServer();
		s.once('error', reject);
		s.listen(0, '127.0.0.1', () => {
			const a = s.address();
			const port = typeof a === 'object' && a ? a.port : 0;
			s.close(() => resolve(port));
		});
	});
}

/** Polls `probe` until it returns a value that is not undefined (never a fixed sleep). */
export async function until<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	let last: unknown;
	while (Date.now() < deadline) {
		try {
			const v = await probe();
			if (v !== undefined) return v;
		} catch (error) {
			last = error;
		}
		await new Promise((r) => setTimeout(r, 100));
	}
	throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
}

export async function httpGet(url: string): Promise<{status: number; body: string}> {
	const res = await fetch(url);
	return {status: res.status, body: await res.text()};
}
