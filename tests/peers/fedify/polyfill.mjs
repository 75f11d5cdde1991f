// Fedify 1.6+ (RFC 9421 double-knock) declares Node 22, but runs on Node 20 except for one
// call: its base64 helper (byte-encodings) grows buffers with ArrayBuffer.prototype.transfer,
// which Node 21 added. This copy has the same result for that use.
if (typeof ArrayBuffer.prototype.transfer !== "function") {
  Object.defineProperty(ArrayBuffer.prototype, "transfer", {
    configurable: true,
    writable: true,
    value: function transfer(length = this.byteLength) {
      const copy = new ArrayBuffer(length);
      new Uint8Array(copy).set(new Uint8Array(this, 0, Math.min(length, this.byteLength)));
      return copy;
    },
  });
}
