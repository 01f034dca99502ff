import { api, errorMessage, type Settings } from '../ipc';

export class SettingsStore {
  value = $state<Settings | null>(null);
  saving = $state(false);
  error = $state<string | null>(null);

  async load(): Promise<void> {
    try {
      this.value = await api.getSettings();
      this.error = null;
    } catch (e) {
      this.error = errorMessage(e);
    }
  }

  async save(next: Settings): Promise<boolean> {
    this.saving = true;
    try {
      this.value = await api.setSettings(next);
      this.error = null;
      return true;
    } catch (e) {
      this.error = errorMessage(e);
      return false;
    } finally {
      this.saving = false;
    }
  }
}
