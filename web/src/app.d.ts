// See https://svelte.dev/docs/kit/types#app.d.ts
declare global {
  namespace App {
    interface Error {
      code?: string;
      message: string;
    }
    /** adapter-node: the Node request (its socket names the address this process accepted it on). */
    interface Platform {
      req?: import('node:http').IncomingMessage;
    }
  }
}
export {};
