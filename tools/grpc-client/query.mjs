#!/usr/bin/env node
// Calls a Flywheel query service from outside the JVM, with the same .proto contracts the
// services are built from.
//   node query.mjs <host:port> <Service>/<Method> ['<json request>']
//   node query.mjs 127.0.0.1:18090 FeedbackQueryService/GetStats '{"key":{"model_name":"gpt-4o","model_version":"2024-08","prompt_version":"v1"},"last_buckets":3}'
// Streaming methods (WatchKey) print one JSON line per message until interrupted.
// Set FLYWHEEL_TOKEN to send "authorization: Bearer <token>".
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import fs from 'node:fs';

const [target, method, body = '{}'] = process.argv.slice(2);
if (!target || !method || !method.includes('/')) {
  console.error('usage: node query.mjs <host:port> <Service>/<Method> [json]');
  process.exit(2);
}
const here = path.dirname(fileURLToPath(import.meta.url));
const protoRoot = path.resolve(here, '../../shared-model/src/main/proto');
const queryDir = path.join(protoRoot, 'flywheel/query/v1');
const files = fs.readdirSync(queryDir).filter((f) => f.endsWith('.proto')).map((f) => path.join('flywheel/query/v1', f));
const definition = protoLoader.loadSync(files, { includeDirs: [protoRoot], keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
const pkg = grpc.loadPackageDefinition(definition).flywheel.query.v1;

const [serviceName, methodName] = method.split('/');
const Service = pkg[serviceName];
if (!Service) {
  console.error(`unknown service ${serviceName}; known: ${Object.keys(pkg).filter((k) => pkg[k].service).join(', ')}`);
  process.exit(2);
}
const client = new Service(target, grpc.credentials.createInsecure());
const call = Object.keys(Service.service).find((k) => k.toLowerCase() === methodName.toLowerCase());
if (!call) {
  console.error(`unknown method ${methodName}; ${serviceName} has: ${Object.values(Service.service).map((m) => m.originalName).join(', ')}`);
  process.exit(2);
}
const metadata = new grpc.Metadata();
if (process.env.FLYWHEEL_TOKEN) metadata.add('authorization', `Bearer ${process.env.FLYWHEEL_TOKEN}`);
const request = JSON.parse(body);
const fail = (err) => { console.error(`${grpc.status[err.code]}: ${err.details}`); process.exit(1); };

if (Service.service[call].responseStream) {
  const stream = client[call](request, metadata);
  stream.on('data', (message) => console.log(JSON.stringify(message)));
  stream.on('error', (err) => { if (err.code !== grpc.status.CANCELLED) fail(err); });
} else {
  client[call](request, metadata, { deadline: Date.now() + 10_000 }, (err, response) => {
    if (err) fail(err);
    console.log(JSON.stringify(response, null, 2));
    client.close();
  });
}
