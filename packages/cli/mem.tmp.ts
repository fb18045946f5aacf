import { smsdomStormEvents } from '@replstorm/scenarios';
const n = 100000;
global.gc?.();
const h0 = process.memoryUsage().heapUsed;
const ev = smsdomStormEvents({ servers: 3, databases: 100, docs: 1000, scanServers: 'first' });
global.gc?.();
console.log('events', ev.length, ((process.memoryUsage().heapUsed - h0) / 1e6).toFixed(0), 'MB');
