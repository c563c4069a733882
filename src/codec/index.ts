// src/codec: the data converter, the AES-256-GCM payload codec, the content sealer, the key ring, the codec server for the Temporal UI; may import shared only.
