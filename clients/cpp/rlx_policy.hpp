// Rlx local policies for C++: header-only, C++17, standard library only.
//
//  - rlx::sampling:    the draws sampled actions are made of (categorical from logits, Gaussian), from a seeded
//                      std::mt19937_64; the same seed gives the same actions with every standard library.
//  - rlx::OnnxPolicy:  runs a policy file written by `rlx export CHECKPOINT --format onnx` whose graph uses the
//                      operators of MLP and LSTM-cell policies (docs/deployment.md): greedy or sampled actions,
//                      action masks, recurrent state. CNN policies (Conv, MaxPool, Transpose) need Rlx.Inference (C#).
//
// rlx_client.hpp includes this header; rlx::LocalPolicy (weights fetched from a policy server) samples through it.
#pragma once

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace rlx {

/// A policy file that cannot be run, or input that does not fit the policy; the message says which and why.
class PolicyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace sampling {

/// Uniform in [0, 1) from the top 53 bits of one draw (std::uniform_real_distribution's algorithm varies by library).
inline double uniform(std::mt19937_64& rng) { return double(rng() >> 11) * (1.0 / 9007199254740992.0); }

/// A standard normal draw: Box–Muller over two uniforms.
inline double normal(std::mt19937_64& rng) {
  double u1 = 1.0 - uniform(rng), u2 = uniform(rng);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

/// An index drawn from softmax(logits[0..n)); options of probability 0 (masked logits of -1e8) are never drawn.
inline uint32_t categorical(const float* logits, uint32_t n, std::mt19937_64& rng) {
  float max = -std::numeric_limits<float>::infinity();
  for (uint32_t k = 0; k < n; k++) max = std::fmax(max, logits[k]);
  double total = 0;
  for (uint32_t k = 0; k < n; k++) total += std::exp(double(logits[k]) - max);
  double u = uniform(rng) * total, cumulative = 0;
  uint32_t last = 0;
  for (uint32_t k = 0; k < n; k++) {
    double p = std::exp(double(logits[k]) - max);
    if (p <= 0) continue;
    cumulative += p;
    last = k;
    if (u < cumulative) return k;
  }
  return last;
}

/// The index of the first largest value.
inline uint32_t argmax(const float* values, uint32_t n) {
  uint32_t best = 0;
  for (uint32_t k = 1; k < n; k++) if (values[k] > values[best]) best = k;
  return best;
}

}  // namespace sampling

namespace onnx_detail {

// ---- protobuf wire format (field numbers from onnx.proto) -------------------------------------------------

class Reader {
 public:
  Reader(const uint8_t* p, size_t n, size_t origin = 0) : p_(p), n_(n), origin_(origin) {}
  bool next(int& field, int& wire) {
    if (at_ >= n_) return false;
    uint64_t tag = varint();
    field = int(tag >> 3);
    wire = int(tag & 7);
    if (field <= 0 || (wire != 0 && wire != 1 && wire != 2 && wire != 5)) fail("field " + std::to_string(field) + " with wire type " + std::to_string(wire));
    return true;
  }
  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      if (at_ >= n_) fail("a varint that runs past the end of its message");
      uint8_t b = p_[at_++];
      v |= uint64_t(b & 0x7F) << shift;
      if (!(b & 0x80)) return v;
    }
    fail("a varint longer than 10 bytes");
    return 0;
  }
  int64_t int64() { return int64_t(varint()); }
  float f32() {
    need(4);
    uint32_t u = uint32_t(p_[at_]) | uint32_t(p_[at_ + 1]) << 8 | uint32_t(p_[at_ + 2]) << 16 | uint32_t(p_[at_ + 3]) << 24;
    at_ += 4;
    float f;
    std::memcpy(&f, &u, 4);
    return f;
  }
  Reader message() {
    uint64_t len = varint();
    if (len > n_ - at_) fail("a field of " + std::to_string(len) + " bytes where " + std::to_string(n_ - at_) + " remain");
    Reader r(p_ + at_, size_t(len), origin_ + at_);
    at_ += size_t(len);
    return r;
  }
  std::string string() { Reader r = message(); return std::string(reinterpret_cast<const char*>(r.p_), r.n_); }
  std::vector<uint8_t> bytes() { Reader r = message(); return std::vector<uint8_t>(r.p_, r.p_ + r.n_); }
  void skip(int wire) {
    if (wire == 0) varint();
    else if (wire == 1) { need(8); at_ += 8; }
    else if (wire == 5) { need(4); at_ += 4; }
    else message();
  }
  void floats(int wire, std::vector<float>& out) {
    if (wire == 5) { out.push_back(f32()); return; }
    Reader r = message();
    while (!r.done()) out.push_back(r.f32());
  }
  void ints(int wire, std::vector<int64_t>& out) {
    if (wire == 0) { out.push_back(int64()); return; }
    Reader r = message();
    while (!r.done()) out.push_back(r.int64());
  }
  bool done() const { return at_ >= n_; }

 private:
  void need(size_t k) { if (k > n_ - at_) fail(std::to_string(k) + " bytes needed where " + std::to_string(n_ - at_) + " remain"); }
  [[noreturn]] void fail(const std::string& what) const { throw PolicyError("malformed protobuf at byte " + std::to_string(origin_ + at_) + ": " + what); }
  const uint8_t* p_;
  size_t n_, origin_, at_ = 0;
};

enum Type : int { Float = 1, Int64 = 7, Bool = 9 };

inline std::string type_name(int t) {
  static const char* names[] = {"UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32", "INT64", "STRING", "BOOL", "FLOAT16", "DOUBLE"};
  return (t >= 0 && t < 12 ? std::string(names[t]) : "type") + " (" + std::to_string(t) + ")";
}

/// A value: float32 data in f, int64 and bool (0/1) data in i.
struct Tensor {
  int type = Float;
  std::vector<int64_t> shape;
  std::vector<float> f;
  std::vector<int64_t> i;
  size_t size() const { size_t n = 1; for (int64_t d : shape) n *= size_t(d); return n; }
  void reshape(int t, const std::vector<int64_t>& s) {
    type = t;
    shape = s;
    if (t == Float) f.resize(size()); else i.resize(size());
  }
  double at(size_t k) const { return type == Float ? double(f[k]) : double(i[k]); }
  std::string shape_text() const {
    std::string s = "[";
    for (size_t d = 0; d < shape.size(); d++) s += (d ? ", " : "") + std::to_string(shape[d]);
    return s + "]";
  }
};

struct Attribute {
  float f = 0;
  int64_t i = 0;
  std::string s;
  std::vector<int64_t> ints;
};

struct Node {
  std::string op, name, domain;
  std::vector<std::string> inputs, outputs;
  std::map<std::string, Attribute> attributes;
  std::string describe() const { return "node '" + (name.empty() ? (outputs.empty() ? std::string("?") : outputs[0]) : name) + "' (" + op + ")"; }
  int64_t get(const std::string& key, int64_t fallback) const { auto it = attributes.find(key); return it == attributes.end() ? fallback : it->second.i; }
  float getf(const std::string& key, float fallback) const { auto it = attributes.find(key); return it == attributes.end() ? fallback : it->second.f; }
};

struct ValueInfo {
  std::string name;
  int type = 0;
  std::vector<int64_t> shape;  // -1 for a symbolic dimension
};

inline Tensor parse_tensor(Reader r, std::string& name) {
  Tensor t;
  std::vector<float> floats;
  std::vector<int64_t> int32s, int64s, dims;
  std::vector<uint8_t> raw;
  bool has_raw = false, external = false;
  int field, wire;
  while (r.next(field, wire)) {
    if (field == 1) r.ints(wire, dims);
    else if (field == 2 && wire == 0) t.type = int(r.int64());
    else if (field == 4) r.floats(wire, floats);
    else if (field == 5) r.ints(wire, int32s);
    else if (field == 7) r.ints(wire, int64s);
    else if (field == 8 && wire == 2) name = r.string();
    else if (field == 9 && wire == 2) { raw = r.bytes(); has_raw = true; }
    else if (field == 13 || field == 14) { external = true; r.skip(wire); }
    else r.skip(wire);
  }
  if (external) throw PolicyError("initializer '" + name + "' keeps its data in an external file; save the model with its weights inside the .onnx file");
  if (t.type != Float && t.type != Int64 && t.type != Bool) throw PolicyError("initializer '" + name + "' has data type " + type_name(t.type) + "; the C++ client computes with FLOAT, INT64 and BOOL");
  t.reshape(t.type, dims);
  size_t n = t.size(), width = t.type == Float ? 4 : t.type == Int64 ? 8 : 1;
  if (has_raw ? raw.size() != n * width : (t.type == Float ? floats.size() : t.type == Int64 ? int64s.size() : int32s.size()) != n)
    throw PolicyError("initializer '" + name + "' holds a different number of values than its shape " + t.shape_text() + " needs");
  for (size_t k = 0; k < n; k++) {
    if (t.type == Float) {
      if (has_raw) { uint32_t u = uint32_t(raw[4 * k]) | uint32_t(raw[4 * k + 1]) << 8 | uint32_t(raw[4 * k + 2]) << 16 | uint32_t(raw[4 * k + 3]) << 24; std::memcpy(&t.f[k], &u, 4); }
      else t.f[k] = floats[k];
    } else if (t.type == Int64) {
      if (has_raw) { uint64_t u = 0; for (int b = 7; b >= 0; b--) u = u << 8 | raw[8 * k + size_t(b)]; t.i[k] = int64_t(u); }
      else t.i[k] = int64s[k];
    } else {
      t.i[k] = has_raw ? (raw[k] != 0) : (int32s[k] != 0);
    }
  }
  return t;
}

inline ValueInfo parse_value_info(Reader r) {
  ValueInfo v;
  int field, wire;
  while (r.next(field, wire)) {
    if (field == 1 && wire == 2) { v.name = r.string(); continue; }
    if (field != 2 || wire != 2) { r.skip(wire); continue; }
    Reader type = r.message();
    while (type.next(field, wire)) {
      if (field != 1 || wire != 2) { type.skip(wire); continue; }
      Reader tensor = type.message();
      while (tensor.next(field, wire)) {
        if (field == 1 && wire == 0) v.type = int(tensor.int64());
        else if (field == 2 && wire == 2) {
          Reader shape = tensor.message();
          while (shape.next(field, wire)) {
            if (field != 1 || wire != 2) { shape.skip(wire); continue; }
            Reader dim = shape.message();
            int64_t size = -1;
            while (dim.next(field, wire)) {
              if (field == 1 && wire == 0) size = dim.int64();
              else dim.skip(wire);
            }
            v.shape.push_back(size);
          }
        } else tensor.skip(wire);
      }
    }
  }
  return v;
}

inline Node parse_node(Reader r) {
  Node n;
  int field, wire;
  while (r.next(field, wire)) {
    if (wire != 2) { r.skip(wire); continue; }
    if (field == 1) n.inputs.push_back(r.string());
    else if (field == 2) n.outputs.push_back(r.string());
    else if (field == 3) n.name = r.string();
    else if (field == 4) n.op = r.string();
    else if (field == 7) n.domain = r.string();
    else if (field == 5) {
      Reader a = r.message();
      std::string name;
      Attribute value;
      while (a.next(field, wire)) {
        if (field == 1 && wire == 2) name = a.string();
        else if (field == 2 && wire == 5) value.f = a.f32();
        else if (field == 3 && wire == 0) value.i = a.int64();
        else if (field == 4 && wire == 2) value.s = a.string();
        else if (field == 8) a.ints(wire, value.ints);
        else a.skip(wire);
      }
      n.attributes[name] = value;
    } else r.skip(wire);
  }
  return n;
}

// ---- JSON (the rlx.action_heads metadata entry) -------------------------------------------------------------

struct Json {
  enum Kind { Null, Number, String, Array, Object, Bool } kind = Null;
  double number = 0;
  std::string text;
  std::vector<Json> items;
  std::map<std::string, Json> fields;

  static Json parse(const std::string& s) {
    size_t at = 0;
    Json v = value(s, at);
    space(s, at);
    if (at != s.size()) bad(at);
    return v;
  }

 private:
  [[noreturn]] static void bad(size_t at) { throw PolicyError("rlx.action_heads is not valid JSON (at character " + std::to_string(at) + ")"); }
  static void space(const std::string& s, size_t& at) { while (at < s.size() && std::isspace(static_cast<unsigned char>(s[at]))) at++; }
  static Json value(const std::string& s, size_t& at) {
    space(s, at);
    if (at >= s.size()) bad(at);
    Json v;
    char c = s[at];
    if (c == '{' || c == '[') {
      bool object = c == '{';
      v.kind = object ? Object : Array;
      at++;
      space(s, at);
      if (at < s.size() && s[at] == (object ? '}' : ']')) { at++; return v; }
      for (;;) {
        if (object) {
          Json key = value(s, at);
          space(s, at);
          if (key.kind != String || at >= s.size() || s[at] != ':') bad(at);
          at++;
          v.fields[key.text] = value(s, at);
        } else {
          v.items.push_back(value(s, at));
        }
        space(s, at);
        if (at < s.size() && s[at] == ',') { at++; continue; }
        if (at < s.size() && s[at] == (object ? '}' : ']')) { at++; return v; }
        bad(at);
      }
    }
    if (c == '"') {
      v.kind = String;
      for (at++; at < s.size() && s[at] != '"'; at++) {
        if (s[at] == '\\' && ++at >= s.size()) bad(at);
        v.text += s[at];
      }
      if (at >= s.size()) bad(at);
      at++;
      return v;
    }
    for (const char* word : {"true", "false", "null"}) {
      if (s.compare(at, std::strlen(word), word) == 0) {
        at += std::strlen(word);
        v.kind = word[0] == 'n' ? Null : Bool;
        v.number = word[0] == 't';
        return v;
      }
    }
    size_t used = 0;
    try { v.number = std::stod(s.substr(at), &used); } catch (const std::exception&) { bad(at); }
    v.kind = Number;
    at += used;
    return v;
  }
};

}  // namespace onnx_detail

/// One part of the action (an entry of rlx.action_heads).
struct ActionHead {
  std::string kind;              // "categorical", "gaussian", "q" or "squashed_gaussian"
  uint32_t size = 0, head = 0, action = 0, std = 0;
  int32_t start = 0;
  bool has_start = false;
  std::vector<float> scale, bias;  // squashed_gaussian
  std::vector<float> low, high;    // gaussian: the box (infinite where unbounded; empty when the file names none)
};

/// A policy exported by `rlx export CHECKPOINT --format onnx`, for one observation at a time. Not thread-safe:
/// one instance per thread. Buffers are kept between calls, so acting allocates nothing after the first call.
class OnnxPolicy {
 public:
  /// Loads an ONNX file; throws PolicyError saying what is wrong with a file it cannot run.
  static OnnxPolicy load(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw PolicyError("cannot open " + path);
    return OnnxPolicy(std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {}), path);
  }

  explicit OnnxPolicy(const std::vector<uint8_t>& bytes, const std::string& source = "the model bytes") {
    try {
      parse(bytes, source);
    } catch (const PolicyError& e) {
      std::string message = e.what();
      throw PolicyError(message.rfind(source, 0) == 0 ? message : source + ": " + message);
    }
  }

  size_t observation_size = 0, action_size = 0, state_size = 0, mask_size = 0;
  std::string policy;     // rlx.policy: "actor_critic", "q" or "squashed_gaussian"
  std::string algorithm;  // rlx.algorithm
  std::vector<ActionHead> heads;
  std::map<std::string, std::string> metadata;
  std::vector<std::string> output_names;

  /// The greedy (mean) action. mask: mask_size floats (1 allowed, 0 forbidden) for masked policies; state:
  /// state_size floats for recurrent ones, read and overwritten with the next state (zeros at an episode's start).
  void act(const float* observation, float* action, const float* mask = nullptr, float* state = nullptr) {
    run(observation, mask, state);
    const onnx_detail::Tensor& a = value("action");
    std::copy(a.f.begin(), a.f.end(), action);
    copy_state(state);
  }

  /// A sampled action: categorical parts from softmax(logits), Gaussian parts mean + exp(log_std)·N(0, 1), SAC's
  /// tanh(mean + exp(log_std)·N(0, 1))·scale + bias, Q policies ε-greedily (epsilon, default 0 = greedy).
  void sample(const float* observation, float* action, std::mt19937_64& rng, const float* mask = nullptr, float* state = nullptr, double epsilon = 0) {
    if (!(epsilon >= 0 && epsilon <= 1)) throw PolicyError("epsilon is a probability: between 0 and 1");
    if (epsilon > 0 && policy != "q") throw PolicyError("epsilon applies to Q policies (rlx.policy = q); this is a " + policy + " policy: pass epsilon 0");
    run(observation, mask, state);
    const std::vector<float>& greedy = value("action").f;
    if (policy == "q") {
      const ActionHead& h = heads[0];
      if (epsilon <= 0 || sampling::uniform(rng) >= epsilon) { action[0] = greedy[0]; }
      else {
        float start = h.has_start ? float(h.start) : greedy[0] - float(sampling::argmax(value("q_values").f.data(), h.size));
        uint32_t allowed = 0;
        for (uint32_t k = 0; k < h.size; k++) allowed += !mask || mask[k] != 0;
        uint32_t pick = uint32_t(sampling::uniform(rng) * allowed), k = 0;
        for (; k < h.size; k++) if ((!mask || mask[k] != 0) && pick-- == 0) break;
        action[0] = start + float(k);
      }
    } else if (policy == "squashed_gaussian") {
      const ActionHead& h = heads[0];
      const std::vector<float>& mean = value("mean").f, &log_std = value("log_std").f;
      for (uint32_t j = 0; j < h.size; j++)
        action[h.action + j] = std::tanh(mean[j] + std::exp(log_std[j]) * float(sampling::normal(rng))) * h.scale[j] + h.bias[j];
    } else {
      const std::vector<float>& logits = value("logits").f;
      for (const ActionHead& h : heads) {
        if (h.head + h.size > logits.size()) throw PolicyError("action head at logits column " + std::to_string(h.head) + " lies outside the logits output");
        if (h.kind == "categorical") {
          action[h.action] = float(h.start) + float(sampling::categorical(logits.data() + h.head, h.size, rng));
        } else {
          const std::vector<float>& log_std = value("log_std").f;
          for (uint32_t j = 0; j < h.size; j++) {
            float u = logits[h.head + j] + std::exp(log_std[h.std + j]) * float(sampling::normal(rng));
            // Clipped into the box, as training clips actions.
            action[h.action + j] = h.low.empty() ? u : std::min(std::max(u, h.low[j]), h.high[j]);
          }
        }
      }
    }
    copy_state(state);
  }

  /// A float output of the last act() or sample(), e.g. "value", "logits", "q_values".
  const std::vector<float>& output(const std::string& name) const {
    for (const std::string& o : output_names) if (o == name) return value(name).f;
    std::string names;
    for (const std::string& o : output_names) names += (names.empty() ? "" : ", ") + o;
    throw PolicyError("the policy has no output '" + name + "'; its outputs are " + names);
  }

 private:
  using Tensor = onnx_detail::Tensor;
  using Node = onnx_detail::Node;
  using Reader = onnx_detail::Reader;

  struct Step { Node node; std::vector<int> in; int out; };

  std::vector<Tensor> values_;
  std::map<std::string, int> index_;
  std::vector<Step> steps_;
  std::vector<onnx_detail::ValueInfo> inputs_;
  int obs_ = -1, mask_ = -1, state_in_ = -1, state_out_ = -1;
  std::vector<int64_t> shape_, scratch_, step_, index_scratch_;  // reused by every run: no allocation once sized

  const Tensor& value(const std::string& name) const { return values_[size_t(index_.at(name))]; }

  int slot(const std::string& name) {
    auto it = index_.find(name);
    if (it != index_.end()) return it->second;
    values_.emplace_back();
    return index_[name] = int(values_.size() - 1);
  }

  void parse(const std::vector<uint8_t>& bytes, const std::string& source) {
    const std::string expected = "Expected an ONNX file written by `rlx export CHECKPOINT --format onnx`.";
    if (bytes.empty()) throw PolicyError(source + " is empty. " + expected);
    Reader r(bytes.data(), bytes.size());
    int64_t ir = 0, opset = -1;
    bool has_graph = false;
    std::vector<std::pair<std::string, std::string>> entries;
    Reader graph(nullptr, 0);
    try {
      int field, wire;
      while (r.next(field, wire)) {
        if (field == 1 && wire == 0) ir = r.int64();
        else if (field == 7 && wire == 2) { graph = r.message(); has_graph = true; }
        else if (field == 8 && wire == 2) {
          Reader o = r.message();
          std::string domain;
          int64_t version = 0;
          while (o.next(field, wire)) {
            if (field == 1 && wire == 2) domain = o.string();
            else if (field == 2 && wire == 0) version = o.int64();
            else o.skip(wire);
          }
          if (domain.empty() || domain == "ai.onnx") opset = version;
        } else if (field == 14 && wire == 2) {
          Reader e = r.message();
          std::string key, val;
          while (e.next(field, wire)) {
            if (field == 1 && wire == 2) key = e.string();
            else if (field == 2 && wire == 2) val = e.string();
            else e.skip(wire);
          }
          metadata[key] = val;
        } else r.skip(wire);
      }
    } catch (const PolicyError& e) {
      throw PolicyError(source + " is not an ONNX model (" + e.what() + "). " + expected);
    }
    if (!has_graph || ir <= 0) throw PolicyError(source + " is not an ONNX model (it has no " + (has_graph ? "IR version" : "graph") + "). " + expected);
    parse_metadata(source);
    if (opset < 13 || opset > 17)
      throw PolicyError("the model uses operator set " + std::to_string(opset) + "; this client runs opsets 13 to 17 (`rlx export` writes 17)" +
                        (opset > 17 ? ", so the file needs a newer client" : ""));
    parse_graph(graph);
  }

  void parse_metadata(const std::string& source) {
    auto need = [&](const std::string& key) -> const std::string& {
      auto it = metadata.find(key);
      if (it == metadata.end()) throw PolicyError(source + " lacks the metadata entry '" + key + "', which every file `rlx export --format onnx` writes has");
      return it->second;
    };
    auto size = [&](const std::string& key) {
      const std::string& text = need(key);
      char* end = nullptr;
      long v = std::strtol(text.c_str(), &end, 10);
      if (text.empty() || *end != '\0' || v < 0) throw PolicyError(source + " has " + key + " = '" + text + "'; expected a whole number");
      return size_t(v);
    };
    if (!metadata.count("rlx.format"))
      throw PolicyError(source + " is an ONNX model but not an Rlx policy: it has no 'rlx.format' metadata entry. Expected a file written by "
                        "`rlx export CHECKPOINT --format onnx`, whose metadata has rlx.format = 1 and the rlx.* entries that describe the policy.");
    if (metadata["rlx.format"] != "1") throw PolicyError(source + " has rlx.format = '" + metadata["rlx.format"] + "'; this client reads format 1: it needs a newer client");
    policy = need("rlx.policy");
    if (policy != "actor_critic" && policy != "q" && policy != "squashed_gaussian") throw PolicyError(source + " has rlx.policy = '" + policy + "'; this client runs actor_critic, q and squashed_gaussian policies");
    auto alg = metadata.find("rlx.algorithm");
    algorithm = alg == metadata.end() ? "" : alg->second;
    observation_size = size("rlx.observation_size");
    action_size = size("rlx.action_size");
    state_size = size("rlx.state_size");
    onnx_detail::Json list = onnx_detail::Json::parse(need("rlx.action_heads"));
    size_t action = 0;
    for (const onnx_detail::Json& item : list.items) {
      auto number = [&](const char* key, bool required, double fallback) {
        auto it = item.fields.find(key);
        if (it == item.fields.end() || it->second.kind != onnx_detail::Json::Number) {
          if (required) throw PolicyError(source + ": rlx.action_heads entry " + std::to_string(heads.size()) + " lacks \"" + key + "\"");
          return fallback;
        }
        return it->second.number;
      };
      ActionHead h;
      auto kind = item.fields.find("kind");
      h.kind = kind == item.fields.end() ? "" : kind->second.text;
      bool choice = h.kind == "categorical" || h.kind == "q";
      if (!choice && h.kind != "gaussian" && h.kind != "squashed_gaussian") throw PolicyError(source + ": action head kind '" + h.kind + "' is not one this client knows");
      h.size = uint32_t(number("size", true, 0));
      h.action = uint32_t(number("action", true, 0));
      h.head = uint32_t(number("head", h.kind == "categorical" || h.kind == "gaussian", 0));
      h.std = uint32_t(number("std", h.kind == "gaussian", 0));
      h.has_start = item.fields.count("start") > 0;
      h.start = int32_t(number("start", false, 0));
      for (const char* key : {"scale", "bias"}) {
        auto it = item.fields.find(key);
        if (it == item.fields.end()) continue;
        for (const onnx_detail::Json& v : it->second.items) (key[0] == 's' ? h.scale : h.bias).push_back(float(v.number));
      }
      for (const char* key : {"low", "high"}) {
        auto it = item.fields.find(key);
        if (it == item.fields.end() || h.kind != "gaussian") continue;
        float unbounded = key[0] == 'l' ? -std::numeric_limits<float>::infinity() : std::numeric_limits<float>::infinity();
        for (const onnx_detail::Json& v : it->second.items) (key[0] == 'l' ? h.low : h.high).push_back(v.kind == onnx_detail::Json::Null ? unbounded : float(v.number));
      }
      if (h.kind == "gaussian" && (h.low.size() != h.high.size() || (!h.low.empty() && h.low.size() != h.size))) throw PolicyError(source + ": a gaussian head's low and high need size values each");
      if (h.kind == "squashed_gaussian" && (h.scale.size() != h.size || h.bias.size() != h.size)) throw PolicyError(source + ": a squashed_gaussian head needs size scale and bias values");
      if (h.action != action) throw PolicyError(source + ": rlx.action_heads entry " + std::to_string(heads.size()) + " starts at action " + std::to_string(h.action) + ", expected " + std::to_string(action));
      action += choice ? 1 : h.size;
      heads.push_back(h);
    }
    if (heads.empty() || action != action_size) throw PolicyError(source + ": rlx.action_heads does not add up to rlx.action_size = " + std::to_string(action_size));
  }

  void parse_graph(Reader g) {
    std::vector<Node> nodes;
    std::vector<onnx_detail::ValueInfo> outputs;
    int field, wire;
    while (g.next(field, wire)) {
      if (wire != 2) { g.skip(wire); continue; }
      if (field == 1) nodes.push_back(onnx_detail::parse_node(g.message()));
      else if (field == 5) {
        std::string name;
        Tensor tensor = onnx_detail::parse_tensor(g.message(), name);
        values_[size_t(slot(name))] = std::move(tensor);
      } else if (field == 11) inputs_.push_back(onnx_detail::parse_value_info(g.message()));
      else if (field == 12) outputs.push_back(onnx_detail::parse_value_info(g.message()));
      else g.skip(wire);
    }
    std::vector<bool> ready(values_.size(), true);
    for (const onnx_detail::ValueInfo& in : inputs_) {
      if (index_.count(in.name)) continue;
      if (in.name != "obs" && in.name != "action_mask" && in.name != "state_in") throw PolicyError("graph input '" + in.name + "' is not one of obs, action_mask, state_in");
      if (in.type != onnx_detail::Float) throw PolicyError("graph input '" + in.name + "' is " + onnx_detail::type_name(in.type) + "; expected FLOAT");
      int s = slot(in.name);
      (in.name == "obs" ? obs_ : in.name == "action_mask" ? mask_ : state_in_) = s;
      ready.resize(values_.size(), true);
    }
    static const char* supported[] = {"Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Min", "Max", "Tanh", "Relu", "Sigmoid", "Exp", "Clip", "Equal",
                                      "Where", "Slice", "Concat", "Reshape", "Flatten", "ArgMax", "Cast", "Identity"};
    for (const Node& n : nodes) {
      bool known = false;
      for (const char* op : supported) known |= n.op == op;
      if (!known || !(n.domain.empty() || n.domain == "ai.onnx")) {
        std::string list;
        for (const char* op : supported) list += (list.empty() ? "" : ", ") + std::string(op);
        throw PolicyError(n.describe() + " uses operator '" + n.op + "', which the C++ client does not run: it runs MLP and LSTM-cell policies (" + list +
                          "); run CNN policies with Rlx.Inference (C#), or the file was not written by `rlx export`");
      }
      if (n.outputs.size() != 1) throw PolicyError(n.describe() + " has " + std::to_string(n.outputs.size()) + " outputs; expected 1");
      Step step{n, {}, 0};
      for (const std::string& name : n.inputs) {
        if (name.empty()) { step.in.push_back(-1); continue; }
        auto it = index_.find(name);
        if (it == index_.end() || !ready[size_t(it->second)]) throw PolicyError(n.describe() + " reads '" + name + "' before any node produces it (the graph must be topologically sorted)");
        step.in.push_back(it->second);
      }
      step.out = slot(n.outputs[0]);
      ready.resize(values_.size(), false);
      ready[size_t(step.out)] = true;
      steps_.push_back(std::move(step));
    }
    for (const onnx_detail::ValueInfo& o : outputs) {
      if (!index_.count(o.name)) throw PolicyError("graph output '" + o.name + "' is produced by nothing");
      output_names.push_back(o.name);
    }
    auto has = [&](const char* name) { for (const std::string& o : output_names) if (o == name) return true; return false; };
    if (obs_ < 0 || !has("action")) throw PolicyError("the graph needs an 'obs' input and an 'action' output");
    if ((state_size > 0) != (state_in_ >= 0) || (state_in_ >= 0) != has("state_out")) throw PolicyError("rlx.state_size does not match the graph's state_in/state_out");
    if (has("state_out")) state_out_ = index_["state_out"];
    const char* required = policy == "q" ? "q_values" : policy == "squashed_gaussian" ? "mean" : "logits";
    if (!has(required)) throw PolicyError(std::string("a ") + policy + " policy needs the output '" + required + "'");
    for (const ActionHead& h : heads) mask_size += mask_ >= 0 && (h.kind == "categorical" || h.kind == "q") ? h.size : 0;
  }

  void bind(int slot_index, const float* data, size_t width) {
    Tensor& t = values_[size_t(slot_index)];
    shape_.assign({1, int64_t(width)});
    t.reshape(onnx_detail::Float, shape_);
    std::copy(data, data + width, t.f.begin());
  }

  void run(const float* observation, const float* mask, const float* state) {
    for (size_t k = 0; k < observation_size; k++)
      if (!std::isfinite(observation[k])) throw PolicyError("observation value " + std::to_string(k) + " is " + std::to_string(observation[k]) + "; a policy acts on finite numbers");
    if ((mask != nullptr) != (mask_ >= 0))
      throw PolicyError(mask_ >= 0 ? "this policy needs an action mask: " + std::to_string(mask_size) + " floats, 1 = allowed and 0 = forbidden" : "this policy takes no action mask: pass nullptr");
    if ((state != nullptr) != (state_in_ >= 0))
      throw PolicyError(state_in_ >= 0 ? "this policy is recurrent: pass its state, " + std::to_string(state_size) + " floats (zeros at an episode's start)" : "this policy is not recurrent: pass no state");
    bind(obs_, observation, observation_size);
    if (mask) bind(mask_, mask, mask_size);
    if (state) bind(state_in_, state, state_size);
    for (Step& s : steps_) execute(s);
    const Tensor& a = value("action");
    if (a.type != onnx_detail::Float || a.f.size() != action_size) throw PolicyError("the graph's action output is " + a.shape_text() + "; expected [1, " + std::to_string(action_size) + "]");
  }

  void copy_state(float* state) const {
    if (!state) return;
    const Tensor& s = values_[size_t(state_out_)];
    if (s.f.size() != state_size) throw PolicyError("the graph's state_out is " + s.shape_text() + "; expected [1, " + std::to_string(state_size) + "]");
    std::copy(s.f.begin(), s.f.end(), state);
  }

  // ---- operators ----

  [[noreturn]] static void fail(const Node& n, const std::string& what) { throw PolicyError(n.describe() + ": " + what); }

  static int64_t axis_of(const Node& n, int64_t axis, size_t rank) {
    int64_t a = axis < 0 ? axis + int64_t(rank) : axis;
    if (a < 0 || a >= int64_t(rank)) fail(n, "axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
    return a;
  }

  // Offset in t of the output element at multi-index idx (of out_shape), numpy-broadcast.
  static size_t broadcast_offset(const Tensor& t, const std::vector<int64_t>& idx) {
    size_t offset = 0, stride = 1;
    for (size_t k = 0; k < t.shape.size(); k++) {
      size_t d = t.shape.size() - 1 - k, o = idx.size() - 1 - k;
      if (t.shape[d] != 1) offset += size_t(idx[o]) * stride;
      stride *= size_t(t.shape[d]);
    }
    return offset;
  }

  void broadcast_shape(const Node& n, std::initializer_list<const Tensor*> ts) {
    size_t rank = 0;
    for (const Tensor* t : ts) rank = std::max(rank, t->shape.size());
    shape_.assign(rank, 1);
    for (const Tensor* t : ts)
      for (size_t k = 0; k < t->shape.size(); k++) {
        int64_t& d = shape_[rank - 1 - k];
        int64_t e = t->shape[t->shape.size() - 1 - k];
        if (e == d || e == 1) continue;
        if (d != 1) fail(n, "shapes do not broadcast");
        d = e;
      }
  }

  static bool next_index(std::vector<int64_t>& idx, const std::vector<int64_t>& shape) {
    for (size_t d = idx.size(); d-- > 0;) {
      if (++idx[d] < shape[d]) return true;
      idx[d] = 0;
    }
    return false;
  }

  void execute(Step& s) {
    const Node& n = s.node;
    auto in = [&](size_t k) -> const Tensor* { return k < s.in.size() && s.in[k] >= 0 ? &values_[size_t(s.in[k])] : nullptr; };
    Tensor& y = values_[size_t(s.out)];
    const Tensor& x = *in(0);
    const std::string& op = n.op;
    if (op == "Gemm" || op == "MatMul") {
      const Tensor& b = *in(1);
      const Tensor* c = op == "Gemm" ? in(2) : nullptr;
      bool ta = op == "Gemm" && n.get("transA", 0), tb = op == "Gemm" && n.get("transB", 0);
      float alpha = op == "Gemm" ? n.getf("alpha", 1) : 1, beta = op == "Gemm" ? n.getf("beta", 1) : 1;
      if (x.shape.size() != 2 || b.shape.size() != 2 || x.type != onnx_detail::Float || b.type != onnx_detail::Float) fail(n, "A and B must be 2-D float tensors");
      size_t m = size_t(ta ? x.shape[1] : x.shape[0]), k = size_t(ta ? x.shape[0] : x.shape[1]);
      size_t kb = size_t(tb ? b.shape[1] : b.shape[0]), cols = size_t(tb ? b.shape[0] : b.shape[1]);
      if (k != kb) fail(n, "A " + x.shape_text() + " and B " + b.shape_text() + " do not multiply");
      shape_.assign({int64_t(m), int64_t(cols)});
      y.reshape(onnx_detail::Float, shape_);
      scratch_.assign(2, 0);
      for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < cols; j++) {
          float sum = 0;
          for (size_t p = 0; p < k; p++) sum += x.f[ta ? p * m + i : i * k + p] * b.f[tb ? j * k + p : p * cols + j];
          float bias = 0;
          if (c) { scratch_[0] = int64_t(i); scratch_[1] = int64_t(j); bias = c->f[broadcast_offset(*c, scratch_)]; }
          y.f[i * cols + j] = alpha * sum + beta * bias;
        }
    } else if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div" || op == "Min" || op == "Max" || op == "Equal" || op == "Where") {
      bool where = op == "Where";
      const Tensor& a = where ? *in(1) : x;
      const Tensor& b = where ? *in(2) : *in(1);
      if (a.type != b.type) fail(n, "the inputs have different element types");
      if (where) broadcast_shape(n, {&x, &a, &b}); else broadcast_shape(n, {&a, &b});
      int type = op == "Equal" ? onnx_detail::Bool : a.type;
      y.reshape(type, shape_);
      scratch_.assign(shape_.size(), 0);
      for (size_t o = 0, count = y.size(); o < count; o++, next_index(scratch_, shape_)) {
        size_t ia = broadcast_offset(a, scratch_), ib = broadcast_offset(b, scratch_);
        if (where) {
          bool take = x.i[broadcast_offset(x, scratch_)] != 0;
          if (type == onnx_detail::Float) y.f[o] = take ? a.f[ia] : b.f[ib];
          else y.i[o] = take ? a.i[ia] : b.i[ib];
        } else if (op == "Equal") {
          y.i[o] = a.at(ia) == b.at(ib);
        } else if (type == onnx_detail::Float) {
          float u = a.f[ia], v = b.f[ib];
          y.f[o] = op == "Add" ? u + v : op == "Sub" ? u - v : op == "Mul" ? u * v : op == "Min" ? std::fmin(u, v) : op == "Max" ? std::fmax(u, v) : u / v;
        } else {
          int64_t u = a.i[ia], v = b.i[ib];
          if (op == "Div" && v == 0) fail(n, "integer division by zero");
          y.i[o] = op == "Add" ? u + v : op == "Sub" ? u - v : op == "Mul" ? u * v : op == "Min" ? std::min(u, v) : op == "Max" ? std::max(u, v) : u / v;
        }
      }
    } else if (op == "Tanh" || op == "Relu" || op == "Sigmoid" || op == "Exp") {
      if (x.type != onnx_detail::Float) fail(n, "the input must be FLOAT");
      y.reshape(onnx_detail::Float, x.shape);
      for (size_t k = 0; k < x.f.size(); k++) {
        float v = x.f[k];
        y.f[k] = op == "Tanh" ? std::tanh(v) : op == "Relu" ? (v > 0 ? v : 0.0f) : op == "Exp" ? std::exp(v)
               : v >= 0 ? 1.0f / (1.0f + std::exp(-v)) : std::exp(v) / (1.0f + std::exp(v));
      }
    } else if (op == "Clip") {
      const Tensor *lo = in(1), *hi = in(2);
      y.reshape(x.type, x.shape);
      for (size_t k = 0, count = x.size(); k < count; k++) {
        if (x.type == onnx_detail::Float) {
          float v = x.f[k];
          if (lo) v = std::max(v, lo->f[0]);
          if (hi) v = std::min(v, hi->f[0]);
          y.f[k] = v;
        } else {
          int64_t v = x.i[k];
          if (lo) v = std::max(v, lo->i[0]);
          if (hi) v = std::min(v, hi->i[0]);
          y.i[k] = v;
        }
      }
    } else if (op == "Identity" || op == "Reshape" || op == "Flatten") {
      if (op == "Identity") shape_ = x.shape;
      else if (op == "Flatten") {
        int64_t axis = n.get("axis", 1), outer = 1, inner = 1;
        if (axis < 0) axis += int64_t(x.shape.size());
        for (size_t d = 0; d < x.shape.size(); d++) (int64_t(d) < axis ? outer : inner) *= x.shape[d];
        shape_.assign({outer, inner});
      } else {
        const Tensor& target = *in(1);
        shape_.assign(target.i.begin(), target.i.end());
        int64_t known = 1, infer = -1;
        for (size_t d = 0; d < shape_.size(); d++) {
          if (shape_[d] == 0) {
            if (d >= x.shape.size()) fail(n, "0 in the shape copies a dimension the input lacks");
            shape_[d] = x.shape[d];
          }
          if (shape_[d] == -1) infer = int64_t(d); else known *= shape_[d];
        }
        if (infer >= 0) shape_[size_t(infer)] = known ? int64_t(x.size()) / known : 0;
      }
      y.reshape(x.type, shape_);
      if (y.size() != x.size()) fail(n, "cannot reshape " + x.shape_text() + " to " + y.shape_text());
      if (x.type == onnx_detail::Float) std::copy(x.f.begin(), x.f.begin() + long(x.size()), y.f.begin());
      else std::copy(x.i.begin(), x.i.begin() + long(x.size()), y.i.begin());
    } else if (op == "Cast") {
      int to = int(n.get("to", 0));
      if (to != onnx_detail::Float && to != onnx_detail::Int64 && to != onnx_detail::Bool) fail(n, "casts to " + onnx_detail::type_name(to) + "; supported: FLOAT, INT64, BOOL");
      y.reshape(to, x.shape);
      for (size_t k = 0, count = x.size(); k < count; k++) {
        double v = x.at(k);
        if (to == onnx_detail::Float) y.f[k] = float(v);
        else if (to == onnx_detail::Int64) y.i[k] = int64_t(v);
        else y.i[k] = v != 0;
      }
    } else if (op == "ArgMax") {
      size_t axis = size_t(axis_of(n, n.get("axis", 0), x.shape.size()));
      bool keep = n.get("keepdims", 1) != 0, last = n.get("select_last_index", 0) != 0;
      size_t outer = 1, inner = 1, size = size_t(x.shape[axis]);
      shape_.clear();
      for (size_t d = 0; d < x.shape.size(); d++) {
        if (d < axis) outer *= size_t(x.shape[d]);
        if (d > axis) inner *= size_t(x.shape[d]);
        if (d != axis) shape_.push_back(x.shape[d]); else if (keep) shape_.push_back(1);
      }
      y.reshape(onnx_detail::Int64, shape_);
      for (size_t o = 0; o < outer; o++)
        for (size_t i = 0; i < inner; i++) {
          size_t best = 0, base = o * size * inner + i;
          for (size_t k = 1; k < size; k++) {
            double v = x.at(base + k * inner), b = x.at(base + best * inner);
            if (v > b || (last && v == b)) best = k;
          }
          y.i[o * inner + i] = int64_t(best);
        }
    } else if (op == "Concat") {
      size_t axis = size_t(axis_of(n, n.get("axis", 0), x.shape.size()));
      shape_ = x.shape;
      shape_[axis] = 0;
      for (size_t k = 0; k < s.in.size(); k++) shape_[axis] += in(k)->shape[axis];
      y.reshape(x.type, shape_);
      size_t outer = 1, inner = 1;
      for (size_t d = 0; d < x.shape.size(); d++) { if (d < axis) outer *= size_t(x.shape[d]); if (d > axis) inner *= size_t(x.shape[d]); }
      size_t out_block = size_t(shape_[axis]) * inner, offset = 0;
      for (size_t k = 0; k < s.in.size(); k++) {
        const Tensor& t = *in(k);
        if (t.type != x.type || t.shape.size() != x.shape.size()) fail(n, "inputs differ in type or rank");
        size_t block = size_t(t.shape[axis]) * inner;
        for (size_t o = 0; o < outer; o++)
          for (size_t j = 0; j < block; j++) {
            if (x.type == onnx_detail::Float) y.f[o * out_block + offset + j] = t.f[o * block + j];
            else y.i[o * out_block + offset + j] = t.i[o * block + j];
          }
        offset += block;
      }
    } else {  // Slice
      const Tensor &starts = *in(1), &ends = *in(2);
      const Tensor *axes = in(3), *steps = in(4);
      size_t rank = x.shape.size();
      std::vector<int64_t>& start = scratch_;
      std::vector<int64_t>& step = step_;
      start.assign(rank, 0);
      step.assign(rank, 1);
      shape_ = x.shape;
      for (size_t k = 0; k < starts.i.size(); k++) {
        size_t axis = axes ? size_t(axis_of(n, axes->i[k], rank)) : k;
        int64_t dim = x.shape[axis], st = steps ? steps->i[k] : 1, b = starts.i[k], e = ends.i[k];
        if (st == 0) fail(n, "a step of 0");
        if (b < 0) b += dim;
        if (e < 0) e += dim;
        if (st > 0) { b = std::min(std::max(b, int64_t(0)), dim); e = std::min(std::max(e, int64_t(0)), dim); shape_[axis] = e > b ? (e - b - 1) / st + 1 : 0; }
        else { b = std::min(std::max(b, int64_t(0)), dim - 1); e = std::min(std::max(e, int64_t(-1)), dim - 1); shape_[axis] = b > e ? (b - e - 1) / -st + 1 : 0; }
        start[axis] = b;
        step[axis] = st;
      }
      y.reshape(x.type, shape_);
      std::vector<int64_t>& idx = index_scratch_;
      idx.assign(rank, 0);
      for (size_t o = 0, count = y.size(); o < count; o++, next_index(idx, shape_)) {
        size_t at = 0, stride = 1;
        for (size_t d = rank; d-- > 0;) { at += size_t(start[d] + idx[d] * step[d]) * stride; stride *= size_t(x.shape[d]); }
        if (x.type == onnx_detail::Float) y.f[o] = x.f[at]; else y.i[o] = x.i[at];
      }
    }
  }
};

}  // namespace rlx
