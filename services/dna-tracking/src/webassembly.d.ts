// The few WebAssembly globals that the relatives scan uses (domain/relatives-wasm.ts). Node has
// them all, but @types/node 20 declares none, and TypeScript's own declarations are in its DOM
// library, which the project does not load: these are theirs, cut down to what is used.
declare namespace WebAssembly {
  // biome-ignore lint/suspicious/noEmptyInterface: an opaque compiled module, as TypeScript's DOM library declares it
  interface Module {}
  var Module: { prototype: Module; new (bytes: Uint8Array): Module };

  interface MemoryDescriptor {
    initial: number;
    maximum?: number;
    shared?: boolean;
  }
  interface Memory {
    readonly buffer: ArrayBuffer | SharedArrayBuffer;
  }
  var Memory: { prototype: Memory; new (descriptor: MemoryDescriptor): Memory };

  interface Instance {
    readonly exports: Record<string, unknown>;
  }
  var Instance: {
    prototype: Instance;
    new (module: Module, imports?: Record<string, Record<string, unknown>>): Instance;
  };
}
