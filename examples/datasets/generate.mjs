#!/usr/bin/env node
// Generates the demo dataset's images: simple street and garden scenes drawn from code (SVG rendered by sharp),
// so the demo ships pictures with no third-party licence (CC0, see README.md). Deterministic: same seed, same files.
// Run: node examples/datasets/generate.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const out = fileURLToPath(new URL('./demo/', import.meta.url));
mkdirSync(out, { recursive: true });

let seed = 42;
const rand = () => {
  seed = (seed * 1664525 + 1013904223) >>> 0;
  return seed / 2 ** 32;
};
const pick = (a) => a[Math.floor(rand() * a.length)];
const W = 800;
const H = 533;

function house(x, base, w, h) {
  const wall = pick(['#d9a066', '#c97b63', '#e8d5b7', '#a3b18a', '#b5838d']);
  const roof = pick(['#6b2737', '#3d405b', '#5c4033']);
  const win = (wx, wy) =>
    `<rect x="${wx}" y="${wy}" width="${w * 0.18}" height="${h * 0.2}" fill="#9ecae1" stroke="#fff" stroke-width="3"/>`;
  return `<g><rect x="${x}" y="${base - h}" width="${w}" height="${h}" fill="${wall}"/>
    <polygon points="${x - 12},${base - h} ${x + w / 2},${base - h - h * 0.55} ${x + w + 12},${base - h}" fill="${roof}"/>
    ${win(x + w * 0.12, base - h * 0.8)}${win(x + w * 0.7, base - h * 0.8)}
    <rect x="${x + w * 0.42}" y="${base - h * 0.45}" width="${w * 0.16}" height="${h * 0.45}" fill="#4a3728"/></g>`;
}
function tree(x, base, s) {
  return `<g><rect x="${x - s * 0.08}" y="${base - s * 0.6}" width="${s * 0.16}" height="${s * 0.6}" fill="#6b4226"/>
    <circle cx="${x}" cy="${base - s * 0.8}" r="${s * 0.42}" fill="${pick(['#2d6a4f', '#40916c', '#52b788'])}"/></g>`;
}
function car(x, base, s) {
  const body = pick(['#d62828', '#003049', '#f77f00', '#6a4c93', '#1982c4']);
  return `<g><rect x="${x}" y="${base - s * 0.35}" width="${s}" height="${s * 0.25}" rx="${s * 0.06}" fill="${body}"/>
    <path d="M ${x + s * 0.2} ${base - s * 0.35} L ${x + s * 0.32} ${base - s * 0.55} L ${x + s * 0.7} ${base - s * 0.55} L ${x + s * 0.82} ${base - s * 0.35} Z" fill="${body}"/>
    <rect x="${x + s * 0.36}" y="${base - s * 0.51}" width="${s * 0.3}" height="${s * 0.13}" fill="#cde"/>
    <circle cx="${x + s * 0.22}" cy="${base - s * 0.1}" r="${s * 0.1}" fill="#222"/>
    <circle cx="${x + s * 0.78}" cy="${base - s * 0.1}" r="${s * 0.1}" fill="#222"/></g>`;
}
function person(x, base, s) {
  const shirt = pick(['#e63946', '#457b9d', '#2a9d8f', '#e9c46a']);
  return `<g><circle cx="${x}" cy="${base - s * 0.88}" r="${s * 0.1}" fill="#f1c27d"/>
    <rect x="${x - s * 0.12}" y="${base - s * 0.76}" width="${s * 0.24}" height="${s * 0.4}" rx="${s * 0.05}" fill="${shirt}"/>
    <rect x="${x - s * 0.1}" y="${base - s * 0.37}" width="${s * 0.08}" height="${s * 0.37}" fill="#264653"/>
    <rect x="${x + s * 0.02}" y="${base - s * 0.37}" width="${s * 0.08}" height="${s * 0.37}" fill="#264653"/></g>`;
}

function scene(i) {
  const horizon = H * (0.55 + rand() * 0.1);
  const sky = pick(['#87ceeb', '#a8dadc', '#bde0fe', '#ffd6a5']);
  const parts = [
    `<rect width="${W}" height="${H}" fill="${sky}"/>`,
    `<circle cx="${80 + rand() * 640}" cy="${50 + rand() * 60}" r="${28 + rand() * 20}" fill="#ffd60a"/>`,
    `<rect y="${horizon}" width="${W}" height="${H - horizon}" fill="${i % 2 ? '#7f8c8d' : '#95d5b2'}"/>`,
  ];
  let x = 20 + rand() * 40;
  while (x < W - 160) {
    const w = 110 + rand() * 80;
    if (rand() < 0.6) parts.push(house(x, horizon, w, 90 + rand() * 70));
    else parts.push(tree(x + w / 2, horizon, 90 + rand() * 70));
    x += w + 30 + rand() * 50;
  }
  const road = horizon + (H - horizon) * 0.55;
  for (let k = 0; k < 1 + Math.floor(rand() * 3); k++)
    parts.push(car(40 + rand() * (W - 220), road + rand() * 40, 120 + rand() * 50));
  for (let k = 0; k < Math.floor(rand() * 3); k++)
    parts.push(person(60 + rand() * (W - 120), road - 10 + rand() * 30, 90 + rand() * 40));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">${parts.join('')}</svg>`;
}

for (let i = 1; i <= 6; i++) {
  const name = `scene-${String(i).padStart(2, '0')}.jpg`;
  const jpeg = await sharp(Buffer.from(scene(i)))
    .jpeg({ quality: 82, mozjpeg: true })
    .toBuffer();
  writeFileSync(`${out}${name}`, jpeg);
  console.log(`${name}: ${jpeg.length} bytes`);
}
