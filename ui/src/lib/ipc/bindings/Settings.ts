// Argument/result of `get_settings` / `set_settings`.
export type Settings = {
  library_path: string;
  max_file_size: number;
  max_pixels: number;
  grid_size: number;
  preview_size: number;
};
