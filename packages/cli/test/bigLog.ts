// Writes a large valid log for the streaming tests: saves over a few thousand documents on a 2-server cluster (no
// conflicts, so the state stays a few thousand documents however long the log).
import { createWriteStream } from 'node:fs';

export async function writeBigLog(file: string, megabytes: number, documents = 2_000): Promise<number> {
  const out = createWriteStream(file);
  const write = (s: string) => (out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())));
  await write('{"replog":1,"meta":{"about":"streaming test: saves over a few thousand documents"}}\n');
  await write('{"at":0,"type":"server","name":"A","cluster":"C"}\n{"at":0,"type":"server","name":"B","cluster":"C"}\n');
  await write('{"at":0,"type":"database","name":"d","replicas":["A","B"],"limitRevisions":10}\n');
  const pad = 'x'.repeat(120);
  let bytes = 0;
  let i = 0;
  while (bytes < megabytes * 1e6) {
    const unid = (i % documents).toString(16).toUpperCase().padStart(32, '0');
    const line = `{"at":${1 + i * 3},"type":"save","server":"A","db":"d","unid":"${unid}","by":"user/u","set":{"Body":"${pad}${i}"}}\n`;
    bytes += line.length;
    i++;
    await write(line);
  }
  await new Promise<void>((r) => out.end(() => r()));
  return i;
}
