/** Types of cluster-key-slot (ioredis' own slot function; the package ships none). */
declare module 'cluster-key-slot' {
  export default function calculateSlot(key: string | Buffer): number;
}
