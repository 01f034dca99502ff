// What a rejected command carries.
export type IpcError = {
  code: string;
  message: string;
};
