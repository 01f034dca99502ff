import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { isTauri } from './lib/ipc';

async function boot(): Promise<void> {
  if (!isTauri()) {
    // Plain browser (npm run dev): run against the in-memory fake core.
    const { FakeLibrary, installMockBackend } = await import('./lib/ipc/mock-backend');
    const params = new URLSearchParams(location.search);
    const count = Number(params.get('n') ?? 2000);
    installMockBackend(new FakeLibrary({ count, delay: 120 }), { thumbnails: true });
  }
  const target = document.getElementById('app');
  if (target) mount(App, { target });
}

void boot();
